"""Bodies shared by the whole API: the strict request body base, a name field, the problem document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=120)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(BaseModel):
    type: str
    title: str
    status: int
    code: str
