"""Number formats of the zh-hans pages, over Django's own (which group by nothing): a Chinese
sales team reads business figures grouped in thousands with commas, 1,234,567."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
