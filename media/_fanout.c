/*
 * media._fanout: writes, SRTP-protects and sends the RTP packets of one forwarded
 * frame for one subscriber in a single call (see media/fanout.py, its only caller).
 *
 * Python prepares what differs per subscriber (the 12-byte RTP header of the first
 * packet, the header-extension block, the payload-descriptor prefixes) and passes the
 * frame's payload chunks, which all subscribers share. Here, per packet: the header is
 * copied with the sequence number advanced and the marker bit set on the last packet,
 * then the extension, prefix and chunk; the packet is protected in place by libsrtp's
 * srtp_protect (the function and context pylibsrtp already holds, passed as
 * addresses); then all datagrams go to the UDP socket in as few sendmsg calls as
 * possible (UDP segmentation offload when every datagram but the last has one size).
 *
 * Nothing is kept between calls. The GIL is held throughout (the libsrtp context is
 * only used from the event loop's thread).
 *
 * Returns (datagrams, bytes, calls, errno, unsent), bytes counting every protected datagram
 * and calls the segmented (GSO) sendmsg calls made:
 * errno 0 and unsent None when everything was written; otherwise the errno of the failed call and the protected datagrams not
 * written, as bytes, for the caller to queue or drop (they are protected already:
 * protecting them again would fail libsrtp's replay check).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define STRIDE 2048          /* room per datagram: header, extensions, payload, SRTP trailer */
#define MAX_SEGMENTS 64      /* the kernel's limit per UDP_SEGMENT call */
#define MAX_GSO_BYTES 65000  /* and about 64 KiB per call */

typedef int (*srtp_protect_fn)(void *ctx, void *packet, int *length);

static int
send_batch(int fd, const void *addr, socklen_t addr_len, unsigned char *base, const int *lengths,
           Py_ssize_t count, int gso)
{
    struct iovec iov[MAX_SEGMENTS];
    char control[CMSG_SPACE(sizeof(uint16_t))];
    struct msghdr msg;
    Py_ssize_t i;

    for (i = 0; i < count; i++) {
        iov[i].iov_base = base + i * STRIDE;
        iov[i].iov_len = (size_t)lengths[i];
    }
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *)addr;
    msg.msg_namelen = addr_len;
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)count;
    if (gso && count > 1) {
        struct cmsghdr *cmsg;
        uint16_t segment = (uint16_t)lengths[0];
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_UDP;
        cmsg->cmsg_type = UDP_SEGMENT;
        cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        memcpy(CMSG_DATA(cmsg), &segment, sizeof(segment));
    } else if (count > 1) {
        return EINVAL; /* the caller sends one datagram per call without GSO */
    }
    return sendmsg(fd, &msg, 0) < 0 ? errno : 0;
}

static PyObject *
send_frame(PyObject *self, PyObject *args)
{
    int fd, gso, family, port, trailer;
    unsigned long long protect_address, context_address;
    Py_buffer host, header, extension, first_prefix, next_prefix;
    PyObject *chunks, *result = NULL, *unsent = NULL;
    unsigned char *buffer = NULL;
    int *lengths = NULL;
    Py_ssize_t count, i, start, total_bytes = 0;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const void *addr;
    socklen_t addr_len;
    srtp_protect_fn protect;
    int error = 0, calls = 0;

    if (!PyArg_ParseTuple(args, "ipiy*iKKy*y*y*y*O!i", &fd, &gso, &family, &host, &port, &protect_address,
                          &context_address, &header, &extension, &first_prefix, &next_prefix, &PyTuple_Type,
                          &chunks, &trailer))
        return NULL;

    if (header.len != 12) {
        PyErr_SetString(PyExc_ValueError, "the RTP header must be 12 bytes");
        goto done;
    }
    if (family == AF_INET && host.len == 4) {
        memset(&v4, 0, sizeof(v4));
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)port);
        memcpy(&v4.sin_addr, host.buf, 4);
        addr = &v4;
        addr_len = sizeof(v4);
    } else if (family == AF_INET6 && host.len == 16) {
        memset(&v6, 0, sizeof(v6));
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)port);
        memcpy(&v6.sin6_addr, host.buf, 16);
        addr = &v6;
        addr_len = sizeof(v6);
    } else {
        PyErr_SetString(PyExc_ValueError, "the address must be a packed IPv4 or IPv6 address");
        goto done;
    }

    count = PyTuple_GET_SIZE(chunks);
    if (count == 0) {
        result = Py_BuildValue("(nniiO)", (Py_ssize_t)0, (Py_ssize_t)0, 0, 0, Py_None);
        goto done;
    }
    buffer = PyMem_Malloc((size_t)count * STRIDE);
    lengths = PyMem_Malloc((size_t)count * sizeof(int));
    if (buffer == NULL || lengths == NULL) {
        PyErr_NoMemory();
        goto done;
    }

    protect = (srtp_protect_fn)(uintptr_t)protect_address;
    {
        const unsigned char *h = header.buf;
        unsigned int sequence = ((unsigned int)h[2] << 8) | h[3];
        for (i = 0; i < count; i++) {
            PyObject *chunk = PyTuple_GET_ITEM(chunks, i);
            const Py_buffer *prefix = i == 0 ? &first_prefix : &next_prefix;
            unsigned char *packet = buffer + i * STRIDE;
            Py_ssize_t size, chunk_len;
            int length, status;

            if (!PyBytes_Check(chunk)) {
                PyErr_SetString(PyExc_TypeError, "payload chunks must be bytes");
                goto done;
            }
            chunk_len = PyBytes_GET_SIZE(chunk);
            size = 12 + extension.len + prefix->len + chunk_len;
            if (size + trailer > STRIDE) {
                PyErr_SetString(PyExc_ValueError, "packet is too long");
                goto done;
            }
            memcpy(packet, h, 12);
            packet[1] = (unsigned char)((h[1] & 0x7F) | (i == count - 1 ? 0x80 : 0));
            packet[2] = (unsigned char)((sequence >> 8) & 0xFF);
            packet[3] = (unsigned char)(sequence & 0xFF);
            memcpy(packet + 12, extension.buf, (size_t)extension.len);
            memcpy(packet + 12 + extension.len, prefix->buf, (size_t)prefix->len);
            memcpy(packet + 12 + extension.len + prefix->len, PyBytes_AS_STRING(chunk), (size_t)chunk_len);
            length = (int)size;
            status = protect((void *)(uintptr_t)context_address, packet, &length);
            if (status != 0) {
                PyErr_Format(PyExc_RuntimeError, "srtp_protect failed with status %d", status);
                goto done;
            }
            lengths[i] = length;
            sequence = (sequence + 1) & 0xFFFF;
        }
    }

    /* Send: with GSO in runs of equal-sized datagrams (the last of a run may be
       shorter), without it one datagram per call. */
    for (start = 0; start < count && error == 0;) {
        Py_ssize_t run = 1;
        if (gso) {
            int segment = lengths[start];
            while (start + run < count && run < MAX_SEGMENTS && (run + 1) * segment <= MAX_GSO_BYTES &&
                   lengths[start + run] <= segment) {
                int last = lengths[start + run] < segment;
                run++;
                if (last)
                    break;
            }
        }
        error = send_batch(fd, addr, addr_len, buffer + start * STRIDE, lengths + start, run, gso);
        if (error == 0) {
            calls += run > 1;
            start += run;
        }
    }
    for (i = 0; i < count; i++)
        total_bytes += lengths[i];

    if (error == 0) {
        result = Py_BuildValue("(nniiO)", count, total_bytes, calls, 0, Py_None);
        goto done;
    }
    unsent = PyList_New(count - start);
    if (unsent == NULL)
        goto done;
    for (i = start; i < count; i++) {
        PyObject *datagram = PyBytes_FromStringAndSize((const char *)buffer + i * STRIDE, lengths[i]);
        if (datagram == NULL)
            goto done;
        PyList_SET_ITEM(unsent, i - start, datagram);
    }
    result = Py_BuildValue("(nniiO)", count, total_bytes, calls, error, unsent);

done:
    Py_XDECREF(unsent);
    PyMem_Free(buffer);
    PyMem_Free(lengths);
    PyBuffer_Release(&host);
    PyBuffer_Release(&header);
    PyBuffer_Release(&extension);
    PyBuffer_Release(&first_prefix);
    PyBuffer_Release(&next_prefix);
    return result;
}

static PyMethodDef methods[] = {
    {"send_frame", send_frame, METH_VARARGS,
     "send_frame(fd, gso, family, packed_host, port, srtp_protect, srtp_context, header, extension,"
     " first_prefix, next_prefix, chunks, trailer) -> (datagrams, bytes, calls, errno, unsent)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "media._fanout", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__fanout(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && (PyModule_AddIntConstant(m, "STRIDE", STRIDE) < 0 ||
                      PyModule_AddIntConstant(m, "MAX_SEGMENTS", MAX_SEGMENTS) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
