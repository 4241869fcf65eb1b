package dev.nn4j.core;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-time hint about OpenBLAS's kernel choice: given only where it is known to apply. */
class BlasAdviceTest {
    private static List<String> cpu(String vendor, int family, String flags) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: 2",
                "flags\t\t: " + flags, "", "processor\t: 1", "vendor_id\t: GenuineIntel");
    }

    @Test
    void zen5WithAvx512GetsTheAdvice() {
        String advice = BlasAdvice.advice(cpu("AuthenticAMD", 26, "fpu sse2 avx2 avx512f avx512bw"));
        assertTrue(advice != null && advice.contains("OPENBLAS_CORETYPE=SkylakeX") && advice.contains("26"), advice);
    }

    @Test
    void cpusOpenBlasKnowsGetNone() {
        assertNull(BlasAdvice.advice(cpu("AuthenticAMD", 25, "avx2 avx512f"))); // Zen 4: mapped to SkylakeX
        assertNull(BlasAdvice.advice(cpu("GenuineIntel", 6, "avx2 avx512f")));
        assertNull(BlasAdvice.advice(cpu("AuthenticAMD", 26, "avx2 avx512bw"))); // no avx512f: AVX2 is right
        assertNull(BlasAdvice.advice(List.of()));
    }
}
