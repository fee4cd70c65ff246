"""Matrix products whose rounding cannot depend on how many rows are multiplied.

BLAS libraries choose kernels and blocking by matrix shape.  Measured with the
OpenBLAS that numpy wheels ship, a (M, 32) @ (32, 8) float32 product gives a
row different last bits for M = 16 and M = 6000; the numbers of one protein
then depended on how many other proteins shared its batch.  Computing every
product in blocks of one fixed number of rows (the last block zero-padded)
means each row always goes through the same kernel: results are identical
whatever the batch, its order or its size.  Row order within a block does
not matter for a fixed shape (also measured), so position is harmless too.
"""

from __future__ import annotations

import numpy as np

#: Rows per product.  Large enough to amortise the call, small enough that
#: padding the last block costs little.
BLOCK_ROWS = 256


def blocked_matmul(x: np.ndarray, w: np.ndarray, block: int = BLOCK_ROWS) -> np.ndarray:
    """``x @ w`` for 2-D ``x`` (rows, k) and ``w`` (k,) or (k, n), in fixed-shape blocks.

    Returns an array of shape (rows,) or (rows, n) in the result dtype of x and w.
    """
    rows = x.shape[0]
    tail_shape = w.shape[1:]
    out = np.empty((rows, *tail_shape), dtype=np.result_type(x, w))
    full = rows - rows % block
    if full:
        # A stacked product: numpy calls BLAS once per (block, k) matrix.
        stacked = np.ascontiguousarray(x[:full]).reshape(full // block, block, x.shape[1])
        out[:full] = np.matmul(stacked, w).reshape(full, *tail_shape)
    if full < rows:
        pad = np.zeros((block, x.shape[1]), dtype=x.dtype)
        pad[: rows - full] = x[full:]
        out[full:] = (pad @ w)[: rows - full]
    return out
