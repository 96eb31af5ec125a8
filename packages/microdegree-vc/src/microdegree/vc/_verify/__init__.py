"""The checks of `microdegree.vc.verify`, one module per concern (private: use `vc.verify`).

`input` (limits, JSON), `structure` (VCDM structure, JSON Schema), `related` (related
resources), `proofs` (signatures, the key's binding to the issuer), `dates` (the validity
window), `status` (status lists, the issuer's records), `issuer` (registry, recipient),
`presentations` (challenge, domain, holder); `common` holds the codes and options they share.
`vc.verify` runs them in order and recurses into nested credentials.
"""
