"""Hand-written content of the demo shop 「暖居生活旗舰店」.

Pure data plus small deterministic helpers: the catalog, quick replies,
buyer intents, the Double 11 campaign and the material for buyers,
addresses and logistics timelines. Nothing here does I/O.
"""
