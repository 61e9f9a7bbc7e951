/* Hold timers for SMR Coach: time per side with a switch-side cue, and the
   Supported Corpse Stretch's unbroken-minutes timer that fills the stretch log.
   No network, no dependencies; every control is a real button. Timers start
   hidden in the HTML, so a page without JavaScript keeps only the instructions.
   Each timer tells the page what it does with a bubbling "holdtimer" event
   (detail.state: start, pause, switch, target, done, reset); the guided session listens.
   Reset shows only once a timer has run, so Tab meets one button per timer before that.
   A timer without its own beep box follows the page's one ([data-timer-beep], on
   "today"), remembered in this browser. */
(function () {
  "use strict";

  var audio = null;

  /* Browsers let a page make sound only after a tap: the Start button wakes the audio. */
  function wakeAudio() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume(); }
    } catch (error) {
      /* No sound on this device: the visual cue and the announcement remain. */
    }
  }

  /* A cue: a short tone, and a buzz on phones that can (navigator.vibrate). */
  function cue(enabled) {
    beep(enabled);
    if (enabled && navigator.vibrate) { navigator.vibrate([180, 90, 180]); }
  }

  function tell(root, state) {
    root.dispatchEvent(new CustomEvent("holdtimer", { bubbles: true, detail: { state: state } }));
  }

  function beep(enabled) {
    if (!enabled) { return; }
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 660;
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.25);
    } catch (error) {
      /* Sound is a nicety: the visual cue and the announcement remain. */
    }
  }

  function format(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var minutes = Math.floor(whole / 60);
    var rest = whole % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function part(root, name) {
    return root.querySelector("[data-part='" + name + "']");
  }

  function setupHold(root) {
    var perSide = root.getAttribute("data-per-side") === "true";
    var seconds = parseInt(root.getAttribute("data-seconds"), 10) || 60;
    var sides = perSide ? 2 : 1;
    var clock = part(root, "clock");
    var side = part(root, "side");
    var announce = part(root, "announce");
    var startButton = part(root, "start");
    var resetButton = part(root, "reset");
    var beepBox = beepControl(root);
    var state = { side: 1, left: seconds, running: false, timer: null, last: 0 };

    function sideText() {
      return perSide ? "Side " + state.side + " of " + sides : "Hold";
    }

    function render() {
      clock.textContent = format(state.left);
      side.textContent = sideText();
      var started = state.left < seconds || state.side > 1;
      var idle = state.left <= 0 ? "Start again" : (started ? "Resume" : "Start");
      startButton.textContent = state.running ? "Pause" : idle;
      resetButton.hidden = !started;
    }

    function say(text) { announce.textContent = text; }

    function stop() {
      state.running = false;
      window.clearInterval(state.timer);
      state.timer = null;
    }

    function tick() {
      var now = Date.now();
      state.left -= (now - state.last) / 1000;
      state.last = now;
      if (state.left <= 0) {
        if (state.side < sides) {
          state.side += 1;
          state.left = seconds;
          root.classList.add("is-switch");
          cue(beepBox && beepBox.checked);
          say("Switch sides now. Side " + state.side + " of " + sides + ".");
          tell(root, "switch");
          window.setTimeout(function () { root.classList.remove("is-switch"); }, 4000);
        } else {
          state.left = 0;
          stop();
          root.classList.add("is-done");
          cue(beepBox && beepBox.checked);
          say("Time is up. Well done.");
          tell(root, "done");
        }
      }
      render();
    }

    startButton.addEventListener("click", function () {
      if (state.running) {
        stop();
        say("Paused at " + format(state.left) + ".");
        tell(root, "pause");
      } else {
        if (state.left <= 0) { reset(); }
        wakeAudio();
        state.running = true;
        state.last = Date.now();
        state.timer = window.setInterval(tick, 250);
        root.classList.remove("is-done");
        say(sideText() + ": " + format(state.left) + " started.");
        tell(root, "start");
      }
      render();
    });

    function reset() {
      stop();
      state.side = 1;
      state.left = seconds;
      root.classList.remove("is-done", "is-switch");
      render();
    }

    resetButton.addEventListener("click", function () {
      reset();
      startButton.focus();  /* Reset hides itself: focus stays in the timer. */
      say("Timer reset.");
      tell(root, "reset");
    });
    render();
  }

  function setupStretch(root) {
    var target = parseFloat(root.getAttribute("data-target-minutes")) || 5;
    var field = document.getElementById(root.getAttribute("data-minutes-field") || "");
    var clock = part(root, "clock");
    var side = part(root, "side");
    var announce = part(root, "announce");
    var startButton = part(root, "start");
    var resetButton = part(root, "reset");
    var beepBox = beepControl(root);
    var state = { elapsed: 0, running: false, timer: null, last: 0, reached: false };

    function render() {
      clock.textContent = format(state.elapsed);
      startButton.textContent = state.running ? "I moved: stop" : "Start lying still";
      var unit = target === 1 ? " unbroken minute" : " unbroken minutes";
      side.textContent = (state.reached ? "Target reached: " : "Target: ") + target + unit;
      resetButton.hidden = state.elapsed <= 0;
    }

    function say(text) { announce.textContent = text; }

    function record() {
      var minutes = Math.floor(state.elapsed / 30) / 2;
      if (field) {
        field.value = minutes.toFixed(1);
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
      say(minutes.toFixed(1) + " unbroken minutes" + (field ? " entered in the stretch log." : "."));
    }

    function tick() {
      var now = Date.now();
      state.elapsed += (now - state.last) / 1000;
      state.last = now;
      if (!state.reached && state.elapsed >= target * 60) {
        state.reached = true;
        root.classList.add("is-done");
        cue(beepBox && beepBox.checked);
        say(target + " unbroken minutes: target reached. Stop when you are ready.");
        tell(root, "target");
      }
      render();
    }

    startButton.addEventListener("click", function () {
      if (state.running) {
        state.running = false;
        window.clearInterval(state.timer);
        record();
        tell(root, "done");
      } else {
        wakeAudio();
        state.running = true;
        state.last = Date.now();
        state.timer = window.setInterval(tick, 250);
        say("Started. Lie still; press the button when you move.");
        tell(root, "start");
      }
      render();
    });

    resetButton.addEventListener("click", function () {
      state.running = false;
      window.clearInterval(state.timer);
      state.elapsed = 0;
      state.reached = false;
      root.classList.remove("is-done");
      render();
      startButton.focus();
      say("Timer reset.");
      tell(root, "reset");
    });
    render();
  }

  var BEEP_KEY = "smr-timer-beep";

  /* The timer's own beep box, or the page's one, which it then shows. */
  function beepControl(root) {
    var own = part(root, "beep");
    if (own) { return own; }
    var shared = document.querySelector("[data-timer-beep]");
    if (shared && !shared.getAttribute("data-ready")) {
      shared.setAttribute("data-ready", "true");
      try {
        shared.checked = window.localStorage.getItem(BEEP_KEY) !== "off";
        shared.addEventListener("change", function () {
          window.localStorage.setItem(BEEP_KEY, shared.checked ? "on" : "off");
        });
      } catch (error) {
        /* Storage refused (private mode): the box still works for this page. */
      }
      var holder = shared.closest("[data-timer-sound]");
      if (holder) { holder.hidden = false; }
    }
    return shared;
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-hold-timer]"), function (root) {
      if (root.getAttribute("data-ready")) { return; }
      root.setAttribute("data-ready", "true");
      if (root.getAttribute("data-hold-timer") === "stretch") {
        setupStretch(root);
      } else {
        setupHold(root);
      }
      root.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
