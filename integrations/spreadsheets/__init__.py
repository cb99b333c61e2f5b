"""Spreadsheet import and export of accounts, contacts and orders (CSV and XLSX).

Layout: `columns` (which headers a collection accepts and how a cell becomes a record value),
`reading` (a CSV or XLSX file -> rows of bulk records), `importing` (preview and apply through
the bulk upsert service, so a spreadsheet is validated exactly like an API call), `exporting`
(what a user can see -> CSV or XLSX with the same columns, so an export re-imports unchanged)
and `models` (ImportBatch: the parsed rows kept between preview and confirm).
"""

# The collections a person may import and export; invoices and payments stay ERP-only.
KINDS = ("accounts", "contacts", "orders")

# A page upload or a command-line file: bigger files are refused with a message, not half-read.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
