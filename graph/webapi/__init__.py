"""The JSON routes the web app's pages call, under ``/api`` (behind the server's API-key auth).

One module per page: knowledge (collections, upload, search), adapters (versions, promote, roll
back), evals (reports, comparisons), jobs (the long jobs those start, and training runs).
"""
