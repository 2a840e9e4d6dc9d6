"""The engine: layers, the functional graph (over the backend's symbolic tensors), Sequential, the training loop.

Kept free of imports here so that `kernelkit.engine.logs` can be imported by the callbacks without
pulling the whole engine in.
"""
