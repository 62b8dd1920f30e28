"""Bodies of staff sign-in, sign-out and who am I."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.http.schemas import Body


class LoginRequest(Body):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    device_token: str | None = Field(default=None, max_length=2048, description=(
        "The ``device_token`` of an earlier sign-in to this account from this browser: failed sign-ins "
        "by anyone else (even from the same address) do not lock this device out."))


class StaffView(BaseModel):
    id: str
    display_name: str
    role: str
    program_id: str


class LoginResponse(BaseModel):
    access_token: str
    expires_in: int
    staff: StaffView
    device_token: str  # keep it in this browser and send it with the next sign-in to this account


class SignedOutView(BaseModel):
    signed_out: bool
