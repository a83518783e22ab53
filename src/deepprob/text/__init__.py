"""Text workflows the courses write by hand: n-gram training data for next-word models
(``ngram_sequences``), text generation from such a model (``generate``) and embedding export for
the TensorBoard projector (``export_embeddings``)."""

from deepprob.text.embeddings import export_embeddings
from deepprob.text.generation import generate
from deepprob.text.ngrams import ngram_sequences

__all__ = ["export_embeddings", "generate", "ngram_sequences"]
