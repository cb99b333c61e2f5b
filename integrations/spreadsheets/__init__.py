"""Spreadsheet import and export of accounts, contacts and orders (CSV and XLSX).

Layout: `columns` (which headers a collection accepts and how a cell becomes a record value),
`numbers` (1,234.56 or 1.234,56), `xlsx` (a workbook's first sheet, streamed within the caps of
`limits`), `reading` (a CSV or XLSX file -> rows of bulk records), `importing` (preview and apply
through the bulk upsert service, so a spreadsheet is validated exactly like an API call),
`exporting` (what a user can see -> CSV or XLSX with the same columns, so an export re-imports
unchanged) and `models` (ImportBatch: the upload and its parsed rows between preview and confirm).
"""

# The collections a person may import and export; invoices and payments stay ERP-only.
KINDS = ("accounts", "contacts", "orders")
