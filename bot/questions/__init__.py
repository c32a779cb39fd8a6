"""The instructor's question queue: /ask, upvotes, /questions, and the "Any questions?" slide."""
