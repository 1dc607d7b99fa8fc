"""Product search: a SQLite (FTS5) index file and the query engine over it.

`documents` turns a catalog product into what the index stores, `index` writes and
builds the file, `query` answers searches from it. Nothing here talks to AWS or HTTP;
`indexing` keeps the published file true to the table.
"""
