// REST client: JSON in, JSON out; problem+json answers become ApiError with a stable code.

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export async function api(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin", cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "We couldn't reach Steadyline. Check your internet connection and try again.");
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const code = (data && data.code) || `http_${response.status}`;
    const message = (data && data.title) || "Something went wrong. Please try again.";
    throw new ApiError(response.status, code, message, data && data.errors);
  }
  return data;
}

// The server's own OpenAPI document (rendered by the /api/docs page).
export async function openApiDocument() {
  const response = await fetch("/api/openapi.json", { cache: "no-store" });
  return response.json();
}
