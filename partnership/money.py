"""Money is integer öre everywhere; this is the one place that turns it into Swedish text."""

NO_BREAK_SPACE = "\u00a0"


def format_ore(amount_ore: int, *, currency: bool = True) -> str:
    """711_833_00 -> '711 833,00 kr' (Swedish grouping with a no-break space, decimal comma)."""
    sign = "−" if amount_ore < 0 else ""
    kronor, ore = divmod(abs(int(amount_ore)), 100)
    grouped = f"{kronor:,}".replace(",", NO_BREAK_SPACE)
    text = f"{sign}{grouped},{ore:02d}"
    return f"{text}{NO_BREAK_SPACE}kr" if currency else text
