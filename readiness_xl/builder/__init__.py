"""Building workbooks from code: the template's sheets, their look, and the ribbon add-in."""
