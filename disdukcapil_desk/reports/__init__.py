"""PDFs (ReportLab) made from plain data: receipts, certificates, recaps; seals and signatures."""
