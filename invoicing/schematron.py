"""The official Peppol BIS Billing 3.0 rules (OpenPEPPOL's and CEN's Schematron), run with Saxon.

The rule files in `peppol_rules/` are compiled to XSLT by the SchXslt 1.x pipeline once per process
and then applied to each document; a `svrl:failed-assert` flagged `fatal` is a rule an access point
rejects the document for. Saxon (`saxonche`) is a development dependency: the test suite runs every
invoice and credit note it makes through both rule sets, while the issuing service keeps the fast
subset in `invoicing.peppol` (no 50 MB engine in production, and our own rules name the mistakes
our code can make in words an administrator can act on).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

RULES_DIR = Path(__file__).parent / "peppol_rules"
RULE_SETS = ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch")
PIPELINE = RULES_DIR / "schxslt-2.0" / "pipeline-for-svrl.xsl"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str
    text: str
    location: str

    def __str__(self):
        return f"{self.rule} ({self.flag}) at {self.location}: {self.text}"


class _Rules:
    """A Saxon processor with both rule sets compiled: a process should make it once (see `rules`)."""

    def __init__(self):
        from saxonche import PySaxonProcessor

        self._processor = PySaxonProcessor(license=False)
        xslt = self._processor.new_xslt30_processor()
        pipeline = xslt.compile_stylesheet(stylesheet_file=str(PIPELINE))
        self._compiled = []
        for name in RULE_SETS:
            stylesheet = pipeline.transform_to_string(source_file=str(RULES_DIR / name))
            self._compiled.append(xslt.compile_stylesheet(stylesheet_text=stylesheet))

    def findings(self, xml: bytes) -> list[Finding]:
        document = self._processor.parse_xml(xml_text=bytes(xml).decode("utf-8"))
        found = []
        for stylesheet in self._compiled:
            report = etree.fromstring(stylesheet.transform_to_string(xdm_node=document).encode("utf-8"))
            for failed in report.iter(f"{{{SVRL}}}failed-assert"):
                found.append(
                    Finding(
                        rule=failed.get("id", ""),
                        flag=failed.get("flag", ""),
                        text=" ".join((failed.findtext(f"{{{SVRL}}}text") or "").split()),
                        location=failed.get("location", ""),
                    )
                )
        return found


@cache
def rules() -> _Rules:
    return _Rules()


def fatal_errors(xml: bytes) -> list[str]:
    """The fatal assertions of the official rules that the document breaks (empty when it passes)."""
    return [str(finding) for finding in rules().findings(xml) if finding.flag == "fatal"]
