/** Schedule expressions (EventBridge rules and Scheduler): parse once, compute next firings. */
export {
  EVENTBRIDGE_SCHEDULE_MESSAGE,
  ScheduleExpressionError,
  parseSchedule,
  schedulerScheduleMessage,
  type Schedule,
  type ScheduleOptions,
} from "./expression.js";
export { nextFireAfter, type FireWindow } from "./next-fire.js";
