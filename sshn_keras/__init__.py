"""sshn-keras: Scale-Space HyperNetworks for Keras 3 (TensorFlow backend)."""

__version__ = "0.1.0"
