"""TODO"""

from __future__ import annotations


from pydantic import Field, BaseModel, ConfigDict


Name = Field(min_length=1, max_length=120)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(BaseModel):
    type: str
    title: str
    status: int
    code: str
