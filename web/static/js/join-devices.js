// The participant page's camera and microphone check: a preview, the choice of devices and a
// level meter, before anything else (devices.js does the media work).

import { DeviceCheck } from "./devices.js";
import { say } from "./i18n.js";
import { $, message, page, State } from "./join-state.js";

export const check = new DeviceCheck({ video: $("preview"), onLevel: showLevel });

function showLevel(level, heard) {
  $("level").value = level;
  if (heard && check.videoWorks()) say($("device-status"), "devices.all_good");
  else if (heard) say($("device-status"), "devices.heard");
  else if (check.videoWorks()) say($("device-status"), "devices.speak");
}

async function fillDeviceChoices() {
  const { cameras, microphones } = await check.devices();
  for (const [select, list, kind] of [
    [$("camera"), cameras, "video"], [$("microphone"), microphones, "audio"],
  ]) {
    select.replaceChildren();
    list.forEach((device, index) => {
      const label = device.label || `${kind} ${index + 1}`;
      const chosen = device.deviceId === check.current(kind);
      select.append(new Option(label, device.deviceId, false, chosen));
    });
    select.disabled = list.length < 2;
  }
}

export async function startDevices() {
  if (page.state === State.DEVICES) message("");
  const start = $("devices-start");
  start.disabled = true;
  try {
    await check.start({ cameraId: $("camera").value, microphoneId: $("microphone").value });
    await fillDeviceChoices();
    say($("device-status"), "devices.speak");
    start.hidden = true;
    $("devices-continue").hidden = !page.invited;
    // The button just pressed is gone: keep keyboard focus in the step.
    $(page.invited ? "devices-continue" : "devices-title").focus();
  } catch (error) {
    message(`devices.${error.kind || "failed"}`, { name: error.cause || "" });
    say($("device-status"), "devices.not_working");
    say(start, "devices.retry");
    start.hidden = false;
  } finally {
    start.disabled = false;
  }
}
