"""The HTML/PDF report: page, charts, printing with headless Chromium."""
