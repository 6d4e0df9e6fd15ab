"""Turn a folder of articles into a searchable index on disk.

Pipeline: load articles -> strip page furniture -> split into sentences and
chunks that keep character offsets -> embed -> FAISS + BM25 + manifest.
"""
