package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.RemovableHandle;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModuleList, ModuleDict, Embedding's module, and forward hooks. */
class ContainersAndHooksTest {
    private static final JsonNode REPR = Fixtures.load("seq/seq_utils.json").get("repr");

    @Test
    void moduleListRegistersItsModulesAndPrintsAsPyTorch2() {
        ModuleList list = new ModuleList(new Linear(4, 4), new Linear(4, 4), new ReLU(), new Linear(4, 2));
        assertEquals(4, list.size());
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
                new ArrayList<>(list.stateDict().keySet()));
        assertSame(list.get(3), list.get(-1));
        // PyTorch 2's ModuleList.__repr__ groups consecutive children that print alike
        assertEquals("ModuleList(\n"
                + "  (0-1): 2 x Linear(in_features=4, out_features=4, bias=True)\n"
                + "  (2): ReLU()\n"
                + "  (3): Linear(in_features=4, out_features=2, bias=True)\n"
                + ")", list.toString());
        assertEquals("ModuleList()", new ModuleList().toString());
        assertThrows(IllegalStateException.class, () -> list.call(Tensor.ones(1, 4)));
        Tensor x = Tensor.ones(2, 4);
        for (Module m : list) {
            x = m.call(x);
        }
        assertArrayEquals(new long[] {2, 2}, x.shape());
    }

    @Test
    void containersHoldAModuleTwice() {
        Linear shared = new Linear(3, 3);
        ModuleList list = new ModuleList(shared, shared, shared);
        assertEquals(3, list.size());
        assertSame(shared, list.get(2));
        int calls = 0;
        for (Module m : list) {
            calls++;
        }
        assertEquals(3, calls, "a tied layer is applied as often as it is listed, as in PyTorch");
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"),
                new ArrayList<>(list.stateDict().keySet()));
        ModuleDict d = new ModuleDict().put("a", shared).put("b", shared);
        assertSame(shared, d.get("b"));
        assertEquals(List.of("a", "b"), new ArrayList<>(d.keySet()));
    }

    @Test
    void moduleDictKeepsInsertionOrderAndPrintsAsPyTorch() {
        ModuleDict d = new ModuleDict().put("enc", new Linear(4, 4)).put("act", new ReLU());
        assertEquals(REPR.get("module_dict").asText(), d.toString());
        assertEquals(List.of("enc", "act"), new ArrayList<>(d.keySet()));
        Linear enc = d.get("enc");
        assertEquals(4, enc.outFeatures());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.get("dec"));
        assertTrue(e.getMessage().contains("[enc, act]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.put("enc", new ReLU()));
    }

    @Test
    void embeddingPrintsAndRefusesBadIndicesNamingThePath() {
        Embedding emb = new Embedding(10, 3);
        assertEquals(REPR.get("embedding").asText(), emb.toString());
        Tensor y = emb.call(Tensor.of(new long[] {1, 2, 9, 0}, 2, 2));
        assertArrayEquals(new long[] {2, 2, 3}, y.shape());
        Sequential net = new Sequential(emb);
        ModuleInputException e = assertThrows(ModuleInputException.class,
                () -> net.call(Tensor.of(new long[] {1, 12}, 2)));
        assertTrue(e.getMessage().startsWith("Embedding(10, 3) at \"0\""), e.getMessage());
        assertTrue(e.getMessage().contains("index 12") && e.getMessage().contains("10 embeddings"), e.getMessage());
        ModuleInputException f = assertThrows(ModuleInputException.class, () -> net.call(Tensor.ones(2)));
        assertTrue(f.getMessage().contains("expected int64 indices"), f.getMessage());
    }

    @Test
    void hooksSeeAndReplaceInputsAndOutputsUntilRemoved() {
        Linear l = new Linear(3, 2);
        List<String> seen = new ArrayList<>();
        RemovableHandle pre = l.registerForwardPreHook((m, in) -> {
            seen.add("pre " + in[0].size(0));
            return new Tensor[] {in[0].mul(2)};
        });
        RemovableHandle post = l.registerForwardHook((m, in, out) -> {
            seen.add("post " + out.size(1));
            return out.add(1);
        });
        Tensor x = Tensor.ones(4, 3);
        Tensor hooked = l.call(x);
        pre.remove();
        post.remove();
        post.remove(); // a second remove does nothing
        Tensor plain = l.call(x.mul(2)).add(1);
        assertEquals(List.of("pre 4", "post 2"), seen);
        Fixtures.assertClose(plain, hooked, 1e-7, "hooked output");
        assertEquals(2, seen.size());
        l.call(x);
        assertEquals(2, seen.size(), "removed hooks no longer run");
        // a pre-hook's replacement input is checked like any input
        try (RemovableHandle h = l.registerForwardPreHook((m, in) -> new Tensor[] {Tensor.ones(4, 5)})) {
            ModuleInputException e = assertThrows(ModuleInputException.class, () -> l.call(x));
            assertTrue(e.getMessage().contains("input has 5 features, expected 3"), e.getMessage());
        }
    }
}
