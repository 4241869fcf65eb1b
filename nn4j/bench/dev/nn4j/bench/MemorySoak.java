package dev.nn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory over many mid training steps: prints RSS after 100 steps and every 1,000 after, then the
 * ratio final / after-100 (the target is at most 1.2). Run by bench/run.sh with a fixed 256 MB heap, pre-touched
 * ({@code -XX:+AlwaysPreTouch}): otherwise the JVM touches its heap's pages for the first time during the first
 * thousand steps, which is the heap filling up to its fixed size, not a leak; what RSS can still gain is native
 * memory. {@code MemorySoak [steps]}.
 */
public final class MemorySoak {
    private MemorySoak() {
    }

    /** Runs the soak. */
    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Nn4jStep step = new Nn4jStep(Sizes.mid);
        long base = 0;
        long warm = 0;
        for (int i = 1; i <= steps; i++) {
            step.train();
            if (i == 100) {
                base = rssKb();
                System.out.printf("step %6d  rss %8d kB%n", i, base);
            } else if (i % 1000 == 0) {
                long rss = rssKb();
                warm = warm == 0 ? rss : warm;
                System.out.printf("step %6d  rss %8d kB%n", i, rss);
            }
        }
        long last = rssKb();
        System.out.printf("final/after-100 rss ratio: %.3f; final/after-1000: %.3f%n", (double) last / base,
                (double) last / warm);
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
