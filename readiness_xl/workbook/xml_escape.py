"""Text and attribute values escaped for XML. xml.sax.saxutils has the same two
functions, but importing it loads urllib.request and with it http, email, ssl and socket
(30 ms, paid on every Excel click and every recalc); these few lines are all we used of it."""

from __future__ import annotations


def escape(text: str) -> str:
    """`text` as XML character data: &, < and > escaped (as saxutils.escape)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """`text` as a quoted XML attribute value: &, <, >, the double quote and the
    whitespace characters attribute normalisation would turn into spaces escaped."""
    return '"' + (escape(text).replace('"', "&quot;").replace("\n", "&#10;")
                  .replace("\r", "&#13;").replace("\t", "&#9;")) + '"'
