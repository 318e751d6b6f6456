"""The CommerceML 2 exchange endpoint: 1C pushes the price list, the catalog takes the prices.

documents.py parses import.xml and offers.xml; prices.py plans the price changes
and applies them through the price book the catalog registers; exchange.py keeps
one exchange session's files and steps; views.py answers 1C's
`?type=catalog&mode=...` requests.
"""
