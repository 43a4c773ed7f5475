"""Pure domain: members, accounts, kudos, ledger rules and the command grammar.

Imports only the standard library; knows nothing of chat platforms, SQL or HTTP.
"""
