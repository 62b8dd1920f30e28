/*
 * media._fanout: writes, SRTP-protects and sends the RTP packets of a forwarded frame.
 * Callers: media/datagram_batch.py (send_frame, one subscriber) and media/fanout_group.py
 * (send_frames: every subscriber of a frame in one call).
 *
 * Python prepares what differs per subscriber (the 12-byte RTP header of the first
 * packet: payload type, sequence number, timestamp, SSRC; the header-extension block; the
 * payload-descriptor prefixes, e.g. VP8's picture id) and passes the frame's payload
 * chunks, which all subscribers share. Here, per subscriber: every packet is checked
 * first (nothing is protected unless all of them fit), then per packet the header is
 * copied with the sequence number advanced and the marker bit set on the last packet,
 * then the extension, prefix and chunk; the packet is protected in place by libsrtp's
 * srtp_protect (the function and context pylibsrtp already holds, passed as addresses);
 * then the datagrams go to that subscriber's UDP socket in as few sendmsg calls as
 * possible (UDP segmentation offload when every datagram but the last of a run has one
 * size). Each subscriber has its own socket, so there is nothing to gain from sendmmsg
 * across subscribers.
 *
 * Nothing is kept between calls. The GIL is held throughout: the libsrtp contexts are
 * only used from the event loop's thread, the sockets are non-blocking (a send never
 * waits) and the borrowed payload chunks stay valid only while it is held.
 *
 * send_frame returns (datagrams, bytes, calls, errno, unsent), bytes counting every
 * protected datagram and calls the segmented (GSO) sendmsg calls made: errno 0 and unsent
 * None when everything was written; otherwise the errno of the failed call and the
 * protected datagrams not written, as bytes, for the caller to queue or drop (they are
 * protected already: protecting them again would fail libsrtp's replay check).
 * send_frames returns a list of those, None for a subscriber refused before anything of
 * it was protected or sent (or, out of memory or on a libsrtp error, part way); one
 * subscriber's error never stops the others. It raises only when not given a sequence.
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

/* One subscriber's frame: where to send it and what to write. Borrowed references and
   buffer views into the caller's objects; release with target_release. */
typedef struct {
    int fd, gso, trailer;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    srtp_protect_fn protect;
    void *context;
    Py_buffer header, extension, first_prefix, next_prefix;
    int views; /* how many of the four buffers above are held */
    PyObject *chunks;  /* a tuple of bytes, borrowed */
    Py_ssize_t count;  /* packets */
} target_t;

static void
target_release(target_t *t)
{
    if (t->views > 0)
        PyBuffer_Release(&t->header);
    if (t->views > 1)
        PyBuffer_Release(&t->extension);
    if (t->views > 2)
        PyBuffer_Release(&t->first_prefix);
    if (t->views > 3)
        PyBuffer_Release(&t->next_prefix);
    t->views = 0;
}

static int
target_address(target_t *t, int family, const Py_buffer *host, int port)
{
    if (port < 0 || port > 65535) {
        PyErr_SetString(PyExc_ValueError, "the port must be 0..65535");
        return -1;
    }
    memset(&t->addr, 0, sizeof(t->addr));
    if (family == AF_INET && host->len == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&t->addr;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        memcpy(&v4->sin_addr, host->buf, 4);
        t->addr_len = sizeof(*v4);
    } else if (family == AF_INET6 && host->len == 16) {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->addr;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        memcpy(&v6->sin6_addr, host->buf, 16);
        t->addr_len = sizeof(*v6);
    } else {
        PyErr_SetString(PyExc_ValueError, "the address must be a packed IPv4 or IPv6 address");
        return -1;
    }
    return 0;
}

/* Check everything before anything is protected (libsrtp's replay state must only move for
   packets that are sent): header length, chunk types, packet sizes. */
static int
target_check(target_t *t)
{
    Py_ssize_t i;
    if (t->header.len != 12) {
        PyErr_SetString(PyExc_ValueError, "the RTP header must be 12 bytes");
        return -1;
    }
    if (t->trailer < 0 || t->trailer > STRIDE) {
        PyErr_SetString(PyExc_ValueError, "bad SRTP trailer room");
        return -1;
    }
    if (t->protect == NULL || t->context == NULL) {
        PyErr_SetString(PyExc_ValueError, "no srtp_protect or context");
        return -1;
    }
    t->count = PyTuple_GET_SIZE(t->chunks);
    for (i = 0; i < t->count; i++) {
        PyObject *chunk = PyTuple_GET_ITEM(t->chunks, i);
        const Py_buffer *prefix = i == 0 ? &t->first_prefix : &t->next_prefix;
        if (!PyBytes_Check(chunk)) {
            PyErr_SetString(PyExc_TypeError, "payload chunks must be bytes");
            return -1;
        }
        if (12 + t->extension.len + prefix->len + PyBytes_GET_SIZE(chunk) + t->trailer > STRIDE) {
            PyErr_SetString(PyExc_ValueError, "packet is too long");
            return -1;
        }
    }
    return 0;
}

/* Write and protect the target's packets into buffer (count * STRIDE bytes). */
static int
target_write(target_t *t, unsigned char *buffer, int *lengths)
{
    const unsigned char *h = t->header.buf;
    unsigned int sequence = ((unsigned int)h[2] << 8) | h[3];
    Py_ssize_t i;
    for (i = 0; i < t->count; i++) {
        PyObject *chunk = PyTuple_GET_ITEM(t->chunks, i);
        const Py_buffer *prefix = i == 0 ? &t->first_prefix : &t->next_prefix;
        unsigned char *packet = buffer + i * STRIDE;
        Py_ssize_t chunk_len = PyBytes_GET_SIZE(chunk);
        int length, status;

        memcpy(packet, h, 12);
        packet[1] = (unsigned char)((h[1] & 0x7F) | (i == t->count - 1 ? 0x80 : 0));
        packet[2] = (unsigned char)((sequence >> 8) & 0xFF);
        packet[3] = (unsigned char)(sequence & 0xFF);
        memcpy(packet + 12, t->extension.buf, (size_t)t->extension.len);
        memcpy(packet + 12 + t->extension.len, prefix->buf, (size_t)prefix->len);
        memcpy(packet + 12 + t->extension.len + prefix->len, PyBytes_AS_STRING(chunk), (size_t)chunk_len);
        length = (int)(12 + t->extension.len + prefix->len + chunk_len);
        status = t->protect(t->context, packet, &length);
        if (status != 0) {
            PyErr_Format(PyExc_RuntimeError, "srtp_protect failed with status %d", status);
            return -1;
        }
        if (length < 0 || length > STRIDE) {
            PyErr_SetString(PyExc_RuntimeError, "srtp_protect returned a bad length");
            return -1;
        }
        lengths[i] = length;
        sequence = (sequence + 1) & 0xFFFF;
    }
    return 0;
}

/* Send the target's protected packets; returns the result tuple
   (datagrams, bytes, calls, errno, unsent) or NULL with an exception set. */
static PyObject *
target_send(target_t *t, unsigned char *buffer, const int *lengths)
{
    Py_ssize_t start, i, total_bytes = 0;
    int error = 0, calls = 0;
    PyObject *unsent, *result;

    /* With GSO in runs of equal-sized datagrams (the last of a run may be shorter),
       without it one datagram per call. */
    for (start = 0; start < t->count && error == 0;) {
        Py_ssize_t run = 1;
        if (t->gso) {
            int segment = lengths[start];
            while (start + run < t->count && run < MAX_SEGMENTS && (run + 1) * segment <= MAX_GSO_BYTES &&
                   lengths[start + run] <= segment) {
                int last = lengths[start + run] < segment;
                run++;
                if (last)
                    break;
            }
        }
        error = send_batch(t->fd, &t->addr, t->addr_len, buffer + start * STRIDE, lengths + start, run, t->gso);
        if (error == 0) {
            calls += run > 1;
            start += run;
        }
    }
    for (i = 0; i < t->count; i++)
        total_bytes += lengths[i];
    if (error == 0)
        return Py_BuildValue("(nniiO)", t->count, total_bytes, calls, 0, Py_None);

    unsent = PyList_New(t->count - start);
    if (unsent == NULL)
        return NULL;
    for (i = start; i < t->count; i++) {
        PyObject *datagram = PyBytes_FromStringAndSize((const char *)buffer + i * STRIDE, lengths[i]);
        if (datagram == NULL) {
            Py_DECREF(unsent);
            return NULL;
        }
        PyList_SET_ITEM(unsent, i - start, datagram);
    }
    result = Py_BuildValue("(nniiO)", t->count, total_bytes, calls, error, unsent);
    Py_DECREF(unsent);
    return result;
}

static int
target_from_tuple(target_t *t, PyObject *args)
{
    int family, port;
    unsigned long long protect_address, context_address;
    Py_buffer host;

    memset(t, 0, sizeof(*t));
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) != 13) {
        PyErr_SetString(PyExc_TypeError, "a target is a tuple of 13 values (send_frame's arguments)");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "ipiy*iKKy*y*y*y*O!i", &t->fd, &t->gso, &family, &host, &port, &protect_address,
                          &context_address, &t->header, &t->extension, &t->first_prefix, &t->next_prefix,
                          &PyTuple_Type, &t->chunks, &t->trailer))
        return -1;
    t->views = 4;
    if (target_address(t, family, &host, port) < 0) {
        PyBuffer_Release(&host);
        target_release(t);
        return -1;
    }
    PyBuffer_Release(&host);
    t->protect = (srtp_protect_fn)(uintptr_t)protect_address;
    t->context = (void *)(uintptr_t)context_address;
    if (target_check(t) < 0) {
        target_release(t);
        return -1;
    }
    return 0;
}

/* One target: parse, check, write, protect, send. NULL with an exception on a bad target. */
static PyObject *
target_run(PyObject *args, unsigned char **buffer, int **lengths, Py_ssize_t *room)
{
    target_t t;
    PyObject *result = NULL;

    if (target_from_tuple(&t, args) < 0)
        return NULL;
    if (t.count == 0) {
        result = Py_BuildValue("(nniiO)", (Py_ssize_t)0, (Py_ssize_t)0, 0, 0, Py_None);
        goto done;
    }
    if (t.count > *room) {
        unsigned char *b = PyMem_Realloc(*buffer, (size_t)t.count * STRIDE);
        int *l;
        if (b == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        *buffer = b;
        l = PyMem_Realloc(*lengths, (size_t)t.count * sizeof(int));
        if (l == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        *lengths = l;
        *room = t.count;
    }
    if (target_write(&t, *buffer, *lengths) < 0)
        goto done;
    result = target_send(&t, *buffer, *lengths);
done:
    target_release(&t);
    return result;
}

static PyObject *
send_frame(PyObject *self, PyObject *args)
{
    unsigned char *buffer = NULL;
    int *lengths = NULL;
    Py_ssize_t room = 0;
    PyObject *result = target_run(args, &buffer, &lengths, &room);
    PyMem_Free(buffer);
    PyMem_Free(lengths);
    return result;
}

/* send_frames(targets) -> [result or None, ...]: one frame's fan-out, every subscriber in
   one call. Each target is the tuple of send_frame's 13 arguments; each result is
   send_frame's (datagrams, bytes, calls, errno, unsent), or None when that target was
   refused before anything of it was protected or sent (bad values, a packet too long) or
   its srtp_protect failed or memory ran out: the caller sends that one its own way (which
   refuses packets protected already: libsrtp's replay check). One subscriber's
   failure (including a send that would block: errno EAGAIN and its datagrams in unsent)
   never stops the others. */
static PyObject *
send_frames(PyObject *self, PyObject *targets)
{
    unsigned char *buffer = NULL;
    int *lengths = NULL;
    Py_ssize_t room = 0, n, i;
    PyObject *results = NULL, *sequence;

    sequence = PySequence_Fast(targets, "send_frames takes a list of targets");
    if (sequence == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(sequence);
    results = PyList_New(n);
    if (results == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        PyObject *result = target_run(PySequence_Fast_GET_ITEM(sequence, i), &buffer, &lengths, &room);
        if (result == NULL) { /* this subscriber only (even out of memory): the others go on */
            PyErr_Clear();
            result = Py_NewRef(Py_None);
        }
        PyList_SET_ITEM(results, i, result);
    }
done:
    Py_DECREF(sequence);
    PyMem_Free(buffer);
    PyMem_Free(lengths);
    return results;
}

static PyMethodDef methods[] = {
    {"send_frame", send_frame, METH_VARARGS,
     "send_frame(fd, gso, family, packed_host, port, srtp_protect, srtp_context, header, extension,"
     " first_prefix, next_prefix, chunks, trailer) -> (datagrams, bytes, calls, errno, unsent)"},
    {"send_frames", send_frames, METH_O,
     "send_frames([target, ...]) -> [result or None, ...]: send_frame for every subscriber of a frame"
     " in one call (a target is the tuple of send_frame's arguments)"},
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
