package dev.nn4j.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Bad input to a module: names the module (its one-line description), its path in the model, and what was wrong,
 * e.g. {@code Linear(in_features=30, out_features=256, bias=True) at "0.hidden": input has 20 features, expected 30}.
 *
 * <p>The path is collected as the exception leaves each module's {@code call}, so a call that succeeds pays for
 * no bookkeeping: the message and {@link #modulePath()} name the path from the outermost module it has left.
 */
public class ModuleInputException extends IllegalArgumentException {
    private final String module;
    private final String problem;
    private final String fixedPath;
    /** The modules whose call this exception has left, innermost (the one that refused) first. */
    private final List<Module> calls;

    /** Wraps {@code cause} with the module's description and path. */
    public ModuleInputException(String module, String modulePath, String problem, Throwable cause) {
        super(problem, cause);
        this.module = module;
        this.problem = problem;
        this.fixedPath = modulePath;
        this.calls = null;
    }

    /** Bad input refused by {@code refused}; its path grows as the exception leaves the calls around it. */
    ModuleInputException(Module refused, String problem, Throwable cause) {
        super(problem, cause);
        this.module = refused.describe();
        this.problem = problem;
        this.fixedPath = null;
        this.calls = new ArrayList<>(4);
        calls.add(refused);
    }

    /** Records that this exception is leaving {@code caller}'s call; returns this. */
    ModuleInputException leaving(Module caller) {
        if (calls != null && calls.get(calls.size() - 1) != caller) {
            calls.add(caller);
        }
        return this;
    }

    /** Dotted path of the module in the model that was called ({@code ""} for the model itself). */
    public String modulePath() {
        if (calls == null) {
            return fixedPath;
        }
        StringBuilder path = new StringBuilder();
        for (int i = calls.size() - 1; i > 0; i--) {
            String name = calls.get(i).nameOf(calls.get(i - 1));
            path.append(path.length() > 0 ? "." : "").append(name == null ? "?" : name);
        }
        return path.toString();
    }

    @Override
    public String getMessage() {
        return module + " at \"" + modulePath() + "\": " + problem;
    }
}
