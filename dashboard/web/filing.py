"""The filing footer of the public pages (sign-in, survey, share link): a mainland-China site shows its ICP filing
number linked to beian.miit.gov.cn and its public security filing number linked to beian.mps.gov.cn."""

from __future__ import annotations

from markupsafe import Markup

from dashboard.core.errors import POSTGRES_DOWN
from dashboard.core.runtime import runtime
from dashboard.work.regional import ICP_SITE, filing


def filing_footer() -> Markup:
    """The footer's HTML, or nothing when no number is set (or the settings cannot be read: the page still shows)."""
    try:
        numbers = filing(runtime().org_settings())
    except POSTGRES_DOWN:
        return Markup("")
    if numbers.empty:
        return Markup("")
    links = []
    if numbers.icp:
        links.append(
            Markup('<a href="{}" target="_blank" rel="noopener" id="filing-icp">{}</a>').format(ICP_SITE, numbers.icp)
        )
    if numbers.public_security:
        links.append(
            Markup('<a href="{}" target="_blank" rel="noopener" id="filing-public-security">{}</a>').format(
                numbers.public_security_url, numbers.public_security
            )
        )
    return Markup('<footer class="fo-filing small text-muted text-center">{}</footer>').format(
        Markup(" · ").join(links)
    )
