"""The article studio: an English story in, a Hong Kong Chinese post out, with every fact checked.

    sources ─> chunking ─> writing (LLM, JSON schema) ─> checker + hk_usage ─> cover ─> render
                                                          (quantities, facts, glossary)

`quantities`, `facts`, `checker`, `glossary`, `chunking` and `render` are pure;
`sources` (httpx, trafilatura), `writing` (the LLM layer) and `cover` (Pillow,
optionally diffusers) do the I/O; `pipeline` runs the stages for `marksix article write`.
"""
