/**
 * The differentiable operations: each class holds one op's (or one family's) forward, in a static
 * {@code apply}, and its backward, side by side. Internal: users reach them through {@link dev.nn4j.core.Tensor}
 * and {@code dev.nn4j.nn.Functional}.
 *
 * <p>The rules an op follows ({@link dev.nn4j.core.Node} lists them; {@code OpRulesTest} and {@code OpParityTest}
 * check them): it computes only through {@code dev.nn4j.core.kernel}; what its backward reads goes through
 * {@code save()}/{@code saved(i)}; and it has a row in {@code Functional.OPS} naming its PyTorch fixture case.
 * Classes are named after PyTorch's backward nodes where a module has the plain name ({@code Addmm} for
 * {@code nn.Linear}, {@code MaxPoolWithIndices} for {@code nn.MaxPool2d}).
 */
package dev.nn4j.core.ops;
