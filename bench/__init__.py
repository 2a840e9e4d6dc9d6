"""kernelkit's benchmark: kernelkit beside tf_keras and Keras 3 on the same Keras example models.

`make bench` (or `python -m bench.run`) runs it. Every (framework, model) pair is measured in a fresh
subprocess (`bench.worker`), so import state, traced functions and the memory high-water mark of one
never leak into another; so are the matmul roofline (`bench.roofline`) and the MirroredStrategy runs.
Models live in `bench.models`; add one there and it is picked up everywhere.
"""
