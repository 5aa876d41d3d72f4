import os

# numpy (the duplicate engine's arrays) starts OpenBLAS's thread pool as it loads: some 30 ms of CPU
# at every start of a process, for linear algebra Maklerwerk never does. One thread, unless the
# deployment sets it otherwise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
