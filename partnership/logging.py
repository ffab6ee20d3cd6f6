"""Keep identity numbers out of log lines and error reports."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# YYYYMMDD-NNNN, YYMMDD-NNNN, with -, + or nothing between; also samordningsnummer (day+60).
IDENTITY_NUMBER_PATTERN = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+]?\d{4}(?!\d)")
MASK = "[personnummer borttaget]"


def scrub_identity_numbers(text: str) -> str:
    return IDENTITY_NUMBER_PATTERN.sub(MASK, text)


class ScrubIdentityNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_identity_numbers(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class ScrubbingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports never carry form input: any POST field may hold an identity number."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)
