"""The booking conversation of the Telegram bot (aiogram 3), over /api/v1/ only."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from booking.telegram import texts
from booking.telegram.api_client import ApiError, BookingApi

logger = logging.getLogger(__name__)

router = Router(name="booking")
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
PHONE = re.compile(r"^\+[1-9]\d{7,14}$")


class Booking(StatesGroup):
    last_name = State()
    first_name = State()
    consent = State()
    phone = State()
    code = State()


def local_time(moment: str, time_zone: str | None = None) -> str:
    """'пн 23.11 09:00' of an ISO time, in the given zone (else its own offset)."""
    when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if time_zone:
        when = when.astimezone(ZoneInfo(time_zone))
    return f"{WEEKDAYS[when.weekday()]} {when:%d.%m %H:%M}"


def normalize_phone(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    phone = "+" + digits
    return phone if PHONE.match(phone) else None


def _keyboard(rows: list[tuple[str, str]], columns: int = 1) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in rows]
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    )


def slot_keyboard(slots: list[dict]) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            (local_time(s["local_start"]), f"sl:{s['doctor']}:{s['service']}:{s['start']}")
            for s in slots
        ],
        columns=2,
    )


async def _error(message: Message, error: ApiError) -> None:
    await message.answer(texts.ERROR.format(message=error.message))


@router.message(CommandStart())
async def start(message: Message, state: FSMContext, api: BookingApi) -> None:
    await state.clear()
    try:
        specialties = await api.specialties()
    except ApiError as error:
        await _error(message, error)
        return
    if not specialties:
        await message.answer(texts.NO_SPECIALTIES)
        return
    keyboard = _keyboard([(s["name"], f"sp:{s['id']}") for s in specialties])
    await message.answer(texts.CHOOSE_SPECIALTY, reply_markup=keyboard)


@router.callback_query(F.data.startswith("sp:"))
async def choose_doctor(callback: CallbackQuery, api: BookingApi) -> None:
    await callback.answer()
    try:
        doctors = await api.doctors(specialty=int(callback.data[3:]))
    except ApiError as error:
        await _error(callback.message, error)
        return
    if not doctors:
        await callback.message.answer(texts.NO_DOCTORS)
        return
    keyboard = _keyboard([(d["full_name"], f"dr:{d['id']}") for d in doctors])
    await callback.message.answer(texts.CHOOSE_DOCTOR, reply_markup=keyboard)


@router.callback_query(F.data.startswith("dr:"))
async def choose_time(callback: CallbackQuery, api: BookingApi) -> None:
    await callback.answer()
    try:
        slots = await api.slots(doctor=int(callback.data[3:]))
    except ApiError as error:
        await _error(callback.message, error)
        return
    if not slots:
        await callback.message.answer(texts.NO_TIMES)
        return
    await callback.message.answer(
        texts.CHOOSE_TIME.format(doctor=slots[0]["doctor_name"]), reply_markup=slot_keyboard(slots)
    )


@router.callback_query(F.data.startswith("sl:"))
async def hold_time(
    callback: CallbackQuery, state: FSMContext, api: BookingApi, event_update: Update
) -> None:
    await callback.answer()
    _, doctor, service, start = callback.data.split(":", 3)
    try:
        held = await api.hold(
            doctor=int(doctor),
            service=int(service),
            start=start,
            # A repeated delivery of the same tap holds the same time once.
            idempotency_key=f"telegram-{callback.from_user.id}-{event_update.update_id}",
            client=callback.from_user.id,
        )
    except ApiError as error:
        if error.code == "slot_taken" and error.alternatives:
            await callback.message.answer(
                texts.SLOT_TAKEN, reply_markup=slot_keyboard(error.alternatives)
            )
        else:
            await _error(callback.message, error)
        return
    branch = held.get("branch") or {}
    when = local_time(held["start"], branch.get("time_zone"))
    await state.set_state(Booking.last_name)
    await state.set_data(
        {
            "appointment": held["id"],
            "token": held["token"],
            "doctor_name": held["doctor_name"],
            "time": when,
        }
    )
    await callback.message.answer(texts.HELD.format(time=when, doctor=held["doctor_name"]))


@router.message(Booking.last_name, F.text)
async def got_last_name(message: Message, state: FSMContext) -> None:
    await state.update_data(last_name=message.text.strip())
    await state.set_state(Booking.first_name)
    await message.answer(texts.ASK_FIRST_NAME)


@router.message(Booking.first_name, F.text)
async def got_first_name(message: Message, state: FSMContext, api: BookingApi) -> None:
    await state.update_data(first_name=message.text.strip())
    await state.set_state(Booking.consent)
    # 152-FZ: the consent to the processing of personal data, before the phone.
    keyboard = _keyboard([(texts.CONSENT_BUTTON, "consent:yes")])
    await message.answer(texts.ASK_CONSENT.format(url=api.consent_url), reply_markup=keyboard)


@router.callback_query(Booking.consent, F.data == "consent:yes")
async def got_consent(callback: CallbackQuery, state: FSMContext) -> None:
    await callback.answer()
    await state.update_data(consent=True)
    await state.set_state(Booking.phone)
    share = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.SHARE_PHONE, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await callback.message.answer(texts.ASK_PHONE, reply_markup=share)


@router.message(Booking.consent)
async def consent_not_given(message: Message) -> None:
    await message.answer(texts.CONSENT_NEEDED)


@router.message(Booking.phone, F.contact | F.text)
async def got_phone(message: Message, state: FSMContext, api: BookingApi) -> None:
    raw = message.contact.phone_number if message.contact else message.text
    phone = normalize_phone(raw or "")
    if phone is None:
        await message.answer(texts.BAD_PHONE)
        return
    data = await state.get_data()
    try:
        await api.send_phone_code(
            appointment=data["appointment"],
            token=data["token"],
            phone=phone,
            client=message.from_user.id if message.from_user else None,
        )
    except ApiError as error:
        await _error(message, error)
        return
    await state.update_data(phone=phone)
    await state.set_state(Booking.code)
    await message.answer(texts.CODE_SENT.format(phone=phone), reply_markup=ReplyKeyboardRemove())


@router.message(Booking.code, F.text)
async def got_code(message: Message, state: FSMContext, api: BookingApi) -> None:
    data = await state.get_data()
    patient = {k: data[k] for k in ("last_name", "first_name", "phone")}
    try:
        booked = await api.confirm(
            appointment=data["appointment"],
            token=data["token"],
            patient=patient,
            code=message.text.strip(),
            consent=bool(data.get("consent")),
        )
    except ApiError as error:
        await _error(message, error)  # a wrong code: the state stays, the guest tries again
        return
    await state.clear()
    if booked["status"] == "confirmed":
        branch = booked.get("branch") or {}
        place = f" {branch['name']}, {branch['address']}." if branch.get("address") else ""
        text = texts.CONFIRMED.format(doctor=booked["doctor_name"], time=data["time"], place=place)
    else:
        text = texts.AWAITING.format(doctor=booked["doctor_name"], time=data["time"])
    await message.answer(text)


@router.callback_query()
async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(texts.EXPIRED_CHOICE)


@router.message()
async def anything_else(message: Message) -> None:
    await message.answer(texts.START_AGAIN)


def make_bot(*, token: str, api_url: str = "") -> Bot:
    server = TelegramAPIServer.from_base(api_url.rstrip("/")) if api_url else PRODUCTION
    return Bot(token=token, session=AiohttpSession(api=server))


def make_dispatcher() -> Dispatcher:
    # One process: per-chat state in memory (lost on restart; a guest then sends /start).
    dispatcher = Dispatcher(storage=MemoryStorage())
    dispatcher.include_router(router)
    return dispatcher


async def run(*, token: str, api_url: str, booking_api_url: str, channel_key: str = "") -> None:
    bot = make_bot(token=token, api_url=api_url)
    api = BookingApi(base_url=booking_api_url, channel_key=channel_key)
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await make_dispatcher().start_polling(
            bot, api=api, polling_timeout=10, handle_signals=True, close_bot_session=True
        )
    finally:
        await api.close()
