"""codewalk: annotated, symbol-anchored source tours of Hugging Face transformers."""

__version__ = "0.2.0"
