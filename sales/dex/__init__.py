"""DEX (EVA-DTS) audit import: read the file, work out the sales since the previous read, record them."""
