package dev.nn4j.spark.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distributed example runs as README.md says, on Spark local[2], and learns. */
class DistributedDigitsTest {
    @Test
    void twoRanksOnLocalSparkLearnTheDigits() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            DistributedDigits.main(new String[] {"local[2]", "4", "2"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.print(out);
        assertTrue(out.contains("epoch  4"), out);
        Matcher m = Pattern.compile("test accuracy: ([0-9.]+)%").matcher(out);
        assertTrue(m.find(), out);
        // four epochs of the MLP reach ~95%; chance is 10%
        assertTrue(Double.parseDouble(m.group(1)) > 90, out);
    }
}
