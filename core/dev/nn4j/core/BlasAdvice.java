package dev.nn4j.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the user, once, when OpenBLAS is known to pick slower kernels than the machine can run. Internal.
 *
 * <p>Why: OpenBLAS chooses its kernels from the CPU's family when its library loads, and the versions ND4J can
 * load (up to 0.3.30 at least) do not know AMD's Zen 5 (family 26): they fall back to their AVX2 ("Haswell")
 * kernels although the CPU runs AVX-512. Measured on a 2-core Zen 5: with {@code OPENBLAS_CORETYPE=SkylakeX} the
 * [64,784]x[784,256] product drops from 311 to 224 µs, its weight gradient from 403 to 166 µs, and a
 * [2,20]x[20,256] product from 3.8 to 0.7 µs. Only the environment variable can change the choice (OpenBLAS reads
 * it as it loads, before any Java code could set it), so this is advice in the log, not a setting.
 */
final class BlasAdvice {
    private static final Logger LOG = LoggerFactory.getLogger(BlasAdvice.class);

    private BlasAdvice() {
    }

    /** Logs the advice when it applies: a Zen 5 or later AMD CPU with AVX-512 and no core type chosen. */
    static void check() {
        if (System.getenv("OPENBLAS_CORETYPE") != null) {
            return;
        }
        try {
            String advice = advice(Files.readAllLines(Path.of("/proc/cpuinfo")));
            if (advice != null) {
                LOG.info(advice);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no /proc/cpuinfo to check OpenBLAS's kernel choice against", e);
        }
    }

    /** The advice for a CPU described by {@code /proc/cpuinfo}'s lines, or null when there is none. */
    static String advice(List<String> cpuinfo) {
        String vendor = null;
        int family = -1;
        boolean avx512 = false;
        for (String line : cpuinfo) {
            if (line.isBlank()) {
                break; // the first processor describes them all
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("vendor_id")) {
                vendor = value;
            } else if (key.equals("cpu family")) {
                family = Integer.parseInt(value);
            } else if (key.equals("flags")) {
                avx512 = List.of(value.split(" ")).contains("avx512f");
            }
        }
        if (!"AuthenticAMD".equals(vendor) || family < 26 || !avx512) {
            return null;
        }
        return "OpenBLAS does not recognize this CPU (AMD family " + family + ", AVX-512) and runs its AVX2 kernels: "
                + "start the JVM with OPENBLAS_CORETYPE=SkylakeX in the environment for its AVX-512 kernels "
                + "(matrix products measured 1.4-4x faster on Zen 5)";
    }
}
