package dev.nn4j.nn;

import java.util.List;

/**
 * What a non-strict {@link Module#loadStateDict(java.util.Map, boolean)} skipped.
 * PyTorch: the {@code (missing_keys, unexpected_keys)} named tuple.
 *
 * @param missingKeys keys the module has but the state dict lacked
 * @param unexpectedKeys keys of the state dict that the module does not have
 */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Immutable copies of both lists. */
    public LoadResult {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }
}
