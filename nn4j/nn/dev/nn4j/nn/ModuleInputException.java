package dev.nn4j.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Bad input to a module: names the module (its one-line description), its path in the model, and what was wrong,
 * e.g. {@code Linear(in_features=30, out_features=256, bias=True) at "0.hidden": input has 20 features, expected 30}.
 *
 * <p>The path is collected as the exception leaves each module's {@code call}, so a call that succeeds pays for no
 * bookkeeping. It therefore runs from the outermost module whose call the exception has left so far: caught by the
 * caller of the model, it is the full path; caught inside a module's {@code forward}, it runs from the child whose
 * call it left (and grows again if rethrown).
 */
public class ModuleInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String module;
    private final String problem;
    /** Path segments, innermost first: the name of each module in the one whose call the exception left next. */
    private final ArrayList<String> segments = new ArrayList<>(4);
    /** The module whose call the exception left last (not serialized: it would drag the whole model along). */
    private transient Module last;
    /** Made with a given path, which stays as given. */
    private final boolean fixed;

    /** Wraps {@code cause} with the module's description and path. */
    public ModuleInputException(String module, String modulePath, String problem, Throwable cause) {
        super(problem, cause);
        this.module = module;
        this.problem = problem;
        this.fixed = true;
        if (!modulePath.isEmpty()) {
            List<String> names = List.of(modulePath.split("\\.", -1));
            for (int i = names.size() - 1; i >= 0; i--) {
                segments.add(names.get(i));
            }
        }
    }

    /** Bad input refused by {@code refused}; its path grows as the exception leaves the calls around it. */
    ModuleInputException(Module refused, String problem, Throwable cause) {
        super(problem, cause);
        this.module = refused.describe();
        this.problem = problem;
        this.fixed = false;
        this.last = refused;
    }

    /** Records that this exception is leaving {@code caller}'s call; returns this. */
    ModuleInputException leaving(Module caller) {
        if (!fixed) {
            String name = caller.nameOf(last);
            segments.add(name == null ? "?" : name);
            last = caller;
        }
        return this;
    }

    /** Dotted path of the module in the model that was called ({@code ""} for the model itself). */
    public String modulePath() {
        StringBuilder path = new StringBuilder();
        for (int i = segments.size() - 1; i >= 0; i--) {
            path.append(path.length() > 0 ? "." : "").append(segments.get(i));
        }
        return path.toString();
    }

    @Override
    public String getMessage() {
        return module + " at \"" + modulePath() + "\": " + problem;
    }
}
