"""Write paths: each function validates and authorises, changes the data, then notifies.

Routes, Socket.IO handlers and CLI commands call these and only shape the answer.
"""
