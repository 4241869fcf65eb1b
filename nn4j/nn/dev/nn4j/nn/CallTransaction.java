package dev.nn4j.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes a module call all-or-nothing for the state modules change in place during a forward (batch norm's running
 * statistics): such a module records how to undo its change here, and when the outermost {@link Module#call} on
 * this thread fails, every change made during it is undone, newest first. So bad input that a later layer refuses
 * leaves the model as it was.
 *
 * <p>Why a flag: until the first module that changes state in its forward exists, {@link #ACTIVE} stays false and
 * module calls skip the thread-local bookkeeping entirely (the MLP hot path pays nothing).
 */
final class CallTransaction {
    /** Set once a module that changes state in its forward has been built. */
    private static volatile boolean active;
    private static final ThreadLocal<CallTransaction> CURRENT = ThreadLocal.withInitial(CallTransaction::new);

    private int depth;
    private final List<Runnable> undo = new ArrayList<>();

    private CallTransaction() {
    }

    /** Called by the constructors of modules that register undo actions. */
    static void activate() {
        if (!active) {
            active = true;
        }
    }

    static boolean isActive() {
        return active;
    }

    /** Enters a module call on this thread. */
    static CallTransaction begin() {
        CallTransaction t = CURRENT.get();
        t.depth++;
        return t;
    }

    /** Records how to undo an in-place change, if a module call is running on this thread. */
    static void onFailureUndo(Runnable action) {
        if (active) {
            CallTransaction t = CURRENT.get();
            if (t.depth > 0) {
                t.undo.add(action);
            }
        }
    }

    /**
     * Leaves a module call; the outermost one commits (forgets the undo actions) or, when it failed with
     * {@code failure}, undoes every change, newest first. An undo that fails itself is attached to {@code failure}
     * as suppressed, so the caller still sees what went wrong first and the other undos still run.
     */
    void end(Throwable failure) {
        if (--depth > 0) {
            return;
        }
        try {
            if (failure != null) {
                for (int i = undo.size() - 1; i >= 0; i--) {
                    try {
                        undo.get(i).run();
                    } catch (RuntimeException | Error e) {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            undo.clear();
        }
    }
}
