/**
 * The differentiable operations: each class holds one op's (or one family's) forward, in a static
 * {@code apply}, and its backward, side by side. Internal: users reach them through {@link dev.nn4j.core.Tensor}
 * and {@code dev.nn4j.nn.Functional}.
 */
package dev.nn4j.core.ops;
