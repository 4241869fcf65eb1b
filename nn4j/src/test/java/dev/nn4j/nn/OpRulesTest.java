package dev.nn4j.nn;

import dev.nn4j.core.Node;
import dev.nn4j.core.kernel.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules every op of {@code dev.nn4j.core.ops} follows (see {@link Node}), checked rather than only written:
 * an op computes only through the kernels (it never touches elements or builds data itself), it keeps what its
 * backward reads only through {@code save()}/{@code saved(i)} (no data in fields), and only the core reaches the
 * kernel package.
 */
class OpRulesTest {
    /** What an op may not write: element access, data it builds itself, ND4J arrays. */
    private static final List<String> FORBIDDEN_IN_OPS = List.of(
            ".nd()", "getDouble(", "readFloats(", "readDoubles(", "toDoubleArray(", "Storage.of(",
            "Storage.copyOf(", "Storage.fromDoubles(", "Storage.scalar(", "Storage.zeros(", "import org.nd4j.linalg.api.ndarray",
            "import org.nd4j.linalg.factory", "import org.nd4j.linalg.ops", "addScaled(", "assign(", ".fill(", ".put(");

    /** The source roots that may import the kernel package: the core itself and the optimizers' update loops. */
    private static final List<String> KERNEL_USERS = List.of("core", "optim", "bench");

    /** Every concrete {@link Node} subclass of {@code dev.nn4j.core.ops}, nested ones included. */
    static List<Class<? extends Node>> opClasses() {
        try {
            Path dir = Path.of(Node.class.getResource("/dev/nn4j/core/ops").toURI());
            List<Class<? extends Node>> out = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList())) {
                    String name = p.getFileName().toString();
                    Class<?> c = Class.forName("dev.nn4j.core.ops." + name.substring(0, name.length() - 6));
                    if (Node.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
                        out.add(c.asSubclass(Node.class));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> sources(String root) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(root))) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void opsComputeOnlyThroughTheKernels() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path src : sources("core/dev/nn4j/core/ops")) {
            List<String> lines = Files.readAllLines(src);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                    continue;
                }
                for (String token : FORBIDDEN_IN_OPS) {
                    if (line.contains(token)) {
                        violations.add(src.getFileName() + ":" + (i + 1) + " uses " + token);
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), "ops must call kernels (dev.nn4j.core.kernel), not compute inline: "
                + violations);
    }

    @Test
    void opsKeepNoDataInFields() {
        assertTrue(opClasses().size() >= 10, "found " + opClasses());
        List<String> violations = new ArrayList<>();
        for (Class<? extends Node> op : opClasses()) {
            for (Field f : op.getDeclaredFields()) {
                Class<?> t = f.getType();
                boolean data = t == Storage.class || INDArray.class.isAssignableFrom(t) || t == float[].class
                        || t == double[].class || t == Storage[].class;
                if (data && !Modifier.isStatic(f.getModifiers())) {
                    violations.add(op.getSimpleName() + "." + f.getName() + " (" + t.getSimpleName() + ")");
                }
            }
        }
        assertTrue(violations.isEmpty(), "what a backward reads goes through save()/saved(i), so releasing the "
                + "graph frees it and an in-place write is caught; fields found: " + violations);
    }

    @Test
    void onlyTheCoreReachesTheKernelPackage() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String root : List.of("nn", "init", "io", "device", "examples")) {
            for (Path src : sources(root)) {
                if (Files.readString(src).contains("dev.nn4j.core.kernel")) {
                    violations.add(src.toString());
                }
            }
        }
        assertTrue(violations.isEmpty(), "the kernel package is internal to " + KERNEL_USERS + ": " + violations);
    }
}
