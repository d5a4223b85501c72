import { beforeEach } from "vitest";
import { demo } from "@/simulator/demo-ids";
import type { Scenario, ScenarioApp } from "@/simulator/scenario";
import type { Simulator } from "@/simulator/server";
import { CALLBACK } from "@/test-support/simulator-cloud";

/** The demo tenant's healthy app: the one the suites configure as the mailbox sign-in app. */
export function healthyApp(scenario: Scenario): ScenarioApp {
  return scenario.tenants[0]!.apps.find((app) => app.clientId === demo.apps.healthy.clientId)!;
}

/**
 * The demo scenario as mailbox sign-in needs it: the simulator, like Microsoft, redirects only to a
 * registered URI, and the demo app does not list the console's callback.
 */
export function signInScenario(scenario: Scenario, patch: (scenario: Scenario) => void = () => undefined): Scenario {
  healthyApp(scenario).redirectUris.push(CALLBACK);
  patch(scenario);
  return scenario;
}

/** Starts every test from the sign-in scenario; `startDemoSimulatorForFile` alone would reset to one without the callback. */
export function signInScenarioBeforeEach(sim: Pick<Simulator, "setScenario">, pristine: () => Scenario): void {
  beforeEach(() => {
    sim.setScenario(signInScenario(pristine()));
  });
}

/** Applies a change to the live scenario (resets the simulator's codes and refresh tokens too). */
export function patchScenario(sim: Pick<Simulator, "scenario" | "setScenario">, mutate: (scenario: Scenario) => void): void {
  const next = structuredClone(sim.scenario);
  mutate(next);
  sim.setScenario(next);
}
