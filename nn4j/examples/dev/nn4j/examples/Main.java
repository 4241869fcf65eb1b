package dev.nn4j.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one example by name, or the headline example without arguments: {@code mvn -q compile exec:java
 * -Dexec.args="Blocks"}; {@code list} lists them.
 */
public final class Main {
    /** Headline example, run when no name is given. */
    static final String HEADLINE = "Training";

    private Main() {
    }

    /** Every example, in the chapter's order. */
    static Map<String, Consumer<String[]>> examples() {
        Map<String, Consumer<String[]>> all = new LinkedHashMap<>();
        all.put("Blocks", Blocks::main);
        all.put("Parameters", Parameters::main);
        all.put("Initialization", Initialization::main);
        all.put("Tying", Tying::main);
        all.put("LazyInit", LazyInit::main);
        all.put("CustomLayers", CustomLayers::main);
        all.put("Devices", Devices::main);
        all.put("Parallel", Parallel::main);
        all.put("SaveLoad", SaveLoad::main);
        all.put("Training", Training::main);
        all.put("LeNet", LeNet::main);
        all.put("ResNet", ResNet::main);
        all.put("CharLM", CharLM::main);
        return all;
    }

    /** {@code Main [name|list]}. */
    public static void main(String[] args) {
        // examples may print; ND4J's start-up banner is noise here
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("java.awt.headless", "true"); // the loss chart is drawn off screen
        Map<String, Consumer<String[]>> all = examples();
        String name = args.length == 0 ? HEADLINE : args[0];
        if (name.equals("list")) {
            System.out.println("examples: " + String.join(", ", all.keySet()));
            return;
        }
        Consumer<String[]> example = all.get(name);
        if (example == null) {
            System.err.println("unknown example '" + name + "'; available: " + String.join(", ", all.keySet()));
            System.exit(2);
        }
        String[] rest = new String[Math.max(0, args.length - 1)];
        System.arraycopy(args, Math.min(1, args.length), rest, 0, rest.length);
        example.accept(rest);
    }
}
