"""42 CFR Part 2: records of substance use disorder treatment.

Any disclosure that carries substance-use information goes with a notice against redisclosure
(§ 2.32). :data:`REDISCLOSURE_NOTICE` is that notice in our own words, keeping every element § 2.32
requires: the records are protected by 42 CFR part 2; they may not be used or disclosed in any
civil, criminal, administrative or legislative proceeding against the person without their consent
or a court order under part 2; any other use or disclosure needs the person's written consent or
another part 2 permission (or, for a HIPAA covered entity or business associate, treatment, payment
or health care operations / 45 CFR part 164); and a general authorisation to release medical
information is not enough. An emergency disclosure (§ 2.51) must also record who received it: the
responder page and API ask for the recipient's name and agency before anything is shown."""

from __future__ import annotations

REDISCLOSURE_NOTICE = (
    "Notice against redisclosure (42 CFR part 2). This information comes from records protected by the "
    "federal confidentiality rules for substance use disorder records, 42 CFR part 2. Those rules forbid "
    "using this record, or testimony about what it contains, in any civil, criminal, administrative or "
    "legislative proceeding by any federal, state or local authority against the person it is about, "
    "unless the person consents or a court authorises it as 42 CFR part 2 provides (42 CFR 2.12(c)(5), "
    "2.64 and 2.65). They also forbid any other use or disclosure of this record unless the person's "
    "written consent expressly allows it or 42 CFR part 2 otherwise permits it; or you are a HIPAA covered "
    "entity or business associate that received it for treatment, payment or health care operations; or "
    "you received it from one as 45 CFR part 164, subparts A and E, allow. A general authorisation to "
    "release medical or other information is not enough to allow further use or disclosure (42 CFR 2.31)."
)
