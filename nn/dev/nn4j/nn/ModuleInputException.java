package dev.nn4j.nn;

/**
 * Bad input to a module: names the module (its one-line description), its path in the model, and what was wrong,
 * e.g. {@code Linear(in_features=30, out_features=256, bias=True) at "0.hidden": input has 20 features, expected 30}.
 */
public class ModuleInputException extends IllegalArgumentException {
    private final String modulePath;

    /** Wraps {@code cause} with the module's description and path. */
    public ModuleInputException(String module, String modulePath, String problem, Throwable cause) {
        super(module + " at \"" + modulePath + "\": " + problem, cause);
        this.modulePath = modulePath;
    }

    /** Dotted path of the module in the model that was called ({@code ""} for the model itself). */
    public String modulePath() {
        return modulePath;
    }
}
