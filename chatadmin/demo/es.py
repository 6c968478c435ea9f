"""Spanish texts of the demo store: WhatsApp sales and support chats, notes, survey comments."""

from __future__ import annotations

from chatadmin.demo.text import Script, a, c, ending, transfer

GREETING = (
    "¡Hola! Gracias por escribir a {b} 😊 En un momento te atiende un asesor.",
    "Hola, bienvenido a {b}. Tu mensaje es importante para nosotros, enseguida te respondemos.",
)
AWAY = (
    (
        "Hola, gracias por escribir a {b}. Nos escribes fuera de horario (lunes a viernes de 8:00 a 20:00 "
        "y sábados de 9:00 a 14:00); te respondemos lo antes posible 🙌"
    ),
)

# greetings: any time of day, then by the customer's local time (morning, afternoon, night)
HELLO_ANY = ("Hola", "hola", "Hola, una pregunta", "Qué tal", "Hola 👋", "Buenas")
HELLO_BY_TIME = (
    ("Buenos días", "Buen día", "Hola buenos días", "Qué tal, buen día"),
    ("Buenas tardes", "Hola buenas tardes", "Hola, buenas tardes"),
    ("Buenas noches", "Hola buenas noches", "Hola, buenas noches, disculpe la hora"),
)
HELLO = ("{hello}",)

SCRIPTS: tuple[Script, ...] = (
    Script(
        "quote",
        (
            c(*HELLO, p=0.3),
            c(
                "Quisiera saber el precio de la {p}",
                "¿Tienen {p}? ¿En cuánto la dejan?",
                "Vi en Instagram la {p}, ¿qué precio tiene?",
                "precio de la {p} porfa",
                "Me interesa la {p} que publicaron, ¿sigue disponible?",
                "Buenas, ¿cuánto cuesta la {p}? ¿Hacen envíos?",
            ),
            a(
                "¡Hola {n}! Soy {a} de {b}, con gusto te ayudo 😊 La {p} tiene un precio de {pr}.",
                "Hola {n}, ¿cómo estás? Te atiende {a}. Sí tenemos la {p} disponible, su precio es {pr}.",
                "¡Qué tal {n}! Mi nombre es {a}. La {p} está en {pr} y tenemos existencia.",
            ),
            a("Te comparto la ficha con medidas y colores 👇", "[Imagen] Ficha técnica", p=0.25),
            c(
                "¿Y el envío cuánto sale?", "¿Cuánto tarda en llegar?", "ok y cuanto es de envio",
                "¿Tienen meses sin intereses?", "¿La tienen en negro?", "¿Tiene garantía?",
                p=0.6,
            ),
            a(
                "El envío a tu ciudad cuesta {s} y llega en 3 a 5 días hábiles 🚚",
                "Tenemos envío de {s}, y en compras mayores a $999 es gratis. Llega en 2 a 4 días.",
                "Sí, manejamos hasta 6 meses sin intereses con tarjetas participantes. El envío es de {s}.",
                "Claro, incluye 12 meses de garantía directa con nosotros. El envío es de {s}.",
                follows=True,
            ),
        ),
        (
            ending(
                55,
                c("Perfecto, la quiero", "Va, me la llevo", "Ok, ¿cómo le hago para comprarla?", "Sí la quiero 🙌"),
                a(
                    "¡Excelente! Te envío el link de pago seguro: pago.casaaurora.com/l/{o}",
                    "¡Genial! Aquí tienes tu liga de pago: pago.casaaurora.com/l/{o} — acepta tarjeta y OXXO.",
                ),
                c("Listo, ya pagué", "Ya quedó el pago", "[Imagen] comprobante", "Ya, te mando captura", p=0.75),
                a(
                    "¡Recibido, {n}! Tu pedido es el #{o}. Te mando la guía en cuanto salga 📦",
                    "Pago confirmado ✅ Tu número de pedido es #{o}. ¡Gracias por tu compra!",
                    follows=True,
                ),
                c("Gracias!!", "Muchas gracias 🙏", "Excelente, gracias", p=0.4),
            ),
            ending(
                30,
                c("Ok, lo platico y te aviso", "Déjame lo pienso", "Gracias, lo voy a pensar", "ok gracias, luego te escribo"),
                a(
                    "Claro {n}, quedo al pendiente. Cualquier duda aquí estoy 😊",
                    "Sin problema, la promoción sigue vigente hasta el domingo. ¡Saludos!",
                ),
                tags=("follow-up",),
            ),
            ending(15, c("Ok", "mmm ok", "👍"), closes=False),
        ),
    ),
    Script(
        "wholesale",
        (
            c(*HELLO, p=0.35),
            c(
                "Buenas, ¿manejan precio de mayoreo? Tengo una tienda y me interesan {q} piezas de la {p}",
                "¿Venden al mayoreo? Necesito {q} piezas de la {p} para mi negocio",
                "Hola, soy distribuidor y quisiera cotizar {q} unidades de la {p}",
            ),
            a(
                "¡Hola {n}! Soy {a}, del área de ventas corporativas. Sí manejamos precio de mayoreo a partir de 10 piezas.",
                "Hola {n}, gracias por contactarnos. Con gusto te cotizo, soy {a}.",
            ),
            a("¿Me compartes tu RFC o razón social para hacerte la cotización formal?", p=0.6),
            c("Claro, es Comercializadora del Valle", "Te lo paso: Abarrotes y Hogar SA de CV", "Sí, ahorita te lo mando", follows=True),
            a(
                "Para {q} piezas el precio unitario queda en {pr} menos 18%. Te envío la cotización en PDF.",
                "Te comparto la cotización: precio especial de mayoreo con envío incluido 📄",
            ),
            a("[Documento] Cotizacion_{o}.pdf", p=0.5),
        ),
        (
            ending(
                45,
                c("Va, ¿cómo hacemos el pedido?", "Me parece bien, ¿a qué cuenta deposito?"),
                a("Te paso los datos para transferencia. En cuanto se refleje, programamos la entrega.", "Te envío el link de pago y la orden de compra #{o}."),
                c("Listo, ya transferí", "Hecho, te mando comprobante"),
                a("¡Gracias, {n}! Quedó registrado tu pedido #{o}. Entrega estimada: {d}."),
            ),
            ending(
                40,
                c("Lo reviso con mi socio y te confirmo", "Ok, déjame ver números y te aviso"),
                a("Perfecto {n}, la cotización tiene vigencia de 15 días. Quedo atento."),
                tags=("follow-up",),
            ),
            ending(15, c("Está un poco alto, ¿me puedes mejorar el precio?"), closes=False),
        ),
    ),
    Script(
        "order_status",
        (
            c(*HELLO, p=0.35),
            c(
                "¿Me pueden decir dónde viene mi pedido? Ya pasaron 5 días",
                "Mi pedido #{o} no ha llegado",
                "Buenas, compré una {p} y no me ha llegado nada",
                "hola, quiero saber el estatus de mi pedido",
                "Ya van varios días y mi pedido no llega 😕",
            ),
            a(
                "Hola {n}, soy {a}. Con gusto lo reviso, ¿me compartes tu número de pedido?",
                "¡Hola {n}! Te atiende {a}. ¿Me confirmas tu número de pedido por favor?",
            ),
            c("Es el {o}", "#{o}", "{o}", "El pedido es {o}, a nombre de {n}"),
            a(
                "Gracias. Tu pedido salió ayer con la guía {g} y llega {d} 📦",
                "Ya lo revisé: está en tránsito con la paquetería, guía {g}. Entrega estimada: {d}.",
                "Tu paquete tuvo un retraso en el centro de distribución, pero ya va en camino. Guía {g}, llega {d}.",
            ),
        ),
        (
            ending(70, c("Ok gracias", "Perfecto, muchas gracias", "Gracias!", "ok 👍"), a("¡A ti, {n}! Cualquier cosa aquí estamos.", p=0.6)),
            ending(
                20,
                c("Eso me dijeron la semana pasada 😡", "Ya es la segunda vez que me dicen lo mismo"),
                a("Te ofrezco una disculpa, {n}. Levanté un reporte con la paquetería y te doy seguimiento personalmente."),
                c("Ok, espero su respuesta"),
                tags=("complaint",),
            ),
            ending(10, c("¿Y no lo pueden enviar por otra paquetería?"), closes=False),
        ),
    ),
    Script(
        "return",
        (
            c(*HELLO, p=0.3),
            c(
                "Me llegó la {p} dañada, quiero mi reembolso",
                "La {p} que compré no funciona, quiero devolverla",
                "Buenas, me llegó un producto equivocado, yo pedí la {p}",
                "Quiero hacer una devolución del pedido {o}",
            ),
            c("[Imagen]", "Les mando foto", p=0.5),
            a(
                "Hola {n}, soy {a}. Lamento mucho lo sucedido 😔 ¿Me compartes tu número de pedido y una foto del producto?",
                "¡Hola {n}! Te atiende {a}. Qué pena, lo resolvemos. ¿Me pasas tu número de pedido?",
            ),
            c("Es el {o}", "[Imagen]", "El {o}, ya te mandé la foto", "#{o}"),
            a("Gracias. Voy a pasar tu caso al área de facturación para procesar el reembolso.", "Listo, ya levanté la devolución. Te transfiero con facturación para el reembolso."),
            transfer("billing"),
            a(
                "Hola {n}, soy {a} de facturación. Ya tengo tu caso del pedido #{o}. El reembolso de {pr} se hace a la misma tarjeta.",
                "¡Hola {n}! Te atiende {a} de facturación. Procedemos con el reembolso de {pr}; se refleja en 5 a 10 días hábiles.",
            ),
            c("¿Y tengo que regresar el producto?", "¿Cuánto tarda?", p=0.5),
            a(
                "Te mandamos una guía prepagada a tu correo para enviar el producto. Sin costo para ti.",
                "En cuanto recibamos la guía de devolución se libera el reembolso.",
                follows=True,
            ),
        ),
        (
            ending(75, c("Ok, gracias", "Perfecto, gracias por la ayuda", "Va, gracias"), a("¡Con gusto! Una disculpa de nuevo por las molestias.", p=0.5)),
            ending(25, c("Muy mal servicio, es la última vez que les compro"), a("Entiendo tu molestia, {n}. Ya quedó registrado tu caso y te damos prioridad."), tags=("complaint",)),
        ),
    ),
    Script(
        "invoice",
        (
            c(*HELLO, p=0.35),
            c(
                "Necesito factura de mi compra",
                "¿Me pueden facturar el pedido {o}?",
                "Buenas, requiero factura, ¿qué datos les paso?",
                "No me llegó la factura al correo",
            ),
            a(
                "¡Hola {n}! Soy {a} de facturación. Claro, compárteme tu RFC, razón social, régimen fiscal, código postal y uso de CFDI.",
                "Hola {n}, con gusto. Te atiende {a}. ¿Me pasas tu constancia de situación fiscal y el número de pedido?",
            ),
            c("[Documento] constancia.pdf", "RFC: GOMA850312KX4, uso G03", "Te mando mi constancia", "Ya te la envié"),
            a("Gracias. En unos minutos te llega la factura a tu correo.", "Listo, ya quedó timbrada. Te la envío por aquí y a tu correo 📄"),
            a("[Documento] Factura_{o}.pdf", p=0.4),
        ),
        (
            ending(80, c("Gracias!", "Ya me llegó, gracias", "Perfecto 👌"), a("¡A ti! Que tengas buen día.", p=0.4)),
            ending(20, c("El régimen está mal, es 612"), a("Disculpa, la cancelo y la vuelvo a emitir con el régimen 612."), c("Ok gracias")),
        ),
    ),
    Script(
        "payment",
        (
            c(*HELLO, p=0.35),
            c(
                "Me cobraron dos veces el pedido",
                "Intento pagar con mi tarjeta y me la rechaza",
                "Hice el pago en OXXO y no se refleja",
                "Me llegó un cargo que no reconozco de {b}",
            ),
            a(
                "Hola {n}, soy {a} de facturación. Lo revisamos, ¿me compartes tu número de pedido y los últimos 4 dígitos de la tarjeta?",
                "¡Hola {n}! Te atiende {a}. ¿Me mandas captura del cargo y tu número de pedido?",
            ),
            c("Pedido {o}, tarjeta 4417", "[Imagen] captura del estado de cuenta", "El pedido es {o}"),
            a(
                "Ya lo revisé: el segundo cargo es una preautorización, se libera sola en 48 horas.",
                "Confirmado, hubo un cobro duplicado. Ya solicité la devolución de {pr}, se refleja en 5 a 7 días hábiles.",
                "Tu pago de OXXO ya se reflejó, a veces tarda hasta 24 horas. Tu pedido ya está confirmado ✅",
            ),
        ),
        (
            ending(80, c("Ah ok, gracias", "Muchas gracias por la ayuda", "Perfecto"), a("¡Con gusto, {n}!", p=0.5)),
            ending(20, c("¿Y si no se libera?"), a("Si en 48 horas no se libera me escribes por aquí y lo escalamos con el banco."), closes=False),
        ),
    ),
    Script(
        "warranty",
        (
            c(*HELLO, p=0.3),
            c(
                "Mi {p} dejó de funcionar, tiene 3 meses",
                "La {p} hace un ruido raro",
                "Hola, ¿cómo hago válida la garantía?",
                "Compré una {p} y ya no prende",
            ),
            a(
                "Hola {n}, soy {a} de soporte. Lamento la falla. ¿Me compartes tu número de pedido y un video corto del problema?",
                "¡Hola {n}! Te atiende {a}. ¿Ya intentaste desconectarla 10 minutos y volver a conectarla?",
            ),
            c("[Video]", "Sí ya lo intenté y nada", "Te mando video", "Pedido {o}"),
            a(
                "Gracias. Aplica la garantía: te enviamos una guía para recolectarla y te mandamos una nueva.",
                "Revisado. Te vamos a cambiar la pieza sin costo; el técnico te contacta para agendar la visita.",
            ),
        ),
        (
            ending(70, c("Ok, gracias", "Perfecto, quedo atento", "Va, gracias"), a("¡Con gusto! Tu número de caso es GAR-{o}.", p=0.6)),
            ending(20, c("¿Y mientras qué hago? La necesito"), a("Entiendo, {n}. Te priorizo el envío para que llegue {d}."), tags=("complaint",)),
            ending(10, c("Ya funcionó, era el enchufe 😅"), a("¡Qué bueno! Cualquier cosa aquí estamos.")),
        ),
    ),
    Script(
        "store_info",
        (
            c(*HELLO, p=0.35),
            c(
                "¿Tienen tienda física?",
                "¿A qué hora abren el sábado?",
                "¿Puedo recoger en tienda?",
                "¿Aceptan pagos con transferencia?",
                "¿Hacen envíos a toda la república?",
            ),
            a(
                "¡Hola {n}! Soy {a}. Tenemos sucursal en Av. Insurgentes Sur 1602, abrimos de lunes a sábado de 10 a 20 h.",
                "Hola {n}, sí. Puedes recoger en tienda sin costo; te avisamos cuando esté listo tu pedido.",
                "¡Hola! Te atiende {a}. Sí aceptamos transferencia, tarjeta y pago en OXXO.",
                "Hola {n}, hacemos envíos a todo el país con DHL y Estafeta 🚚",
            ),
        ),
        (
            ending(85, c("Gracias!", "Perfecto, gracias", "ok gracias", "👍"), a("¡A ti! Que tengas excelente día.", p=0.4)),
            ending(15, c("¿Y tienen la {p} en tienda?"), a("Sí, hay existencia en sucursal. Te la apartamos 24 horas si gustas."), c("Sí porfa, paso mañana")),
        ),
    ),
    Script(
        "follow_up",
        (
            a(
                "Hola {n}, soy {a} de {b} 😊 Te escribo para darle seguimiento a la cotización de la {p}. ¿Pudiste revisarla?",
                "¡Hola {n}! Te saluda {a} de {b}. La {p} que te interesó bajó de precio, ahora está en {pr}.",
                "Hola {n}, soy {a}. Te recuerdo que la promoción de la {p} termina este domingo.",
            ),
            c("Hola, sí la vi", "Hola, todavía lo estoy pensando", "¿Sigue el precio?", "Ah sí, gracias por avisar", p=0.85),
            a("Sí, te respeto el precio de {pr} hasta el domingo. ¿Te la aparto?", "Si gustas te la aparto y te mando el link de pago.", p=0.85),
        ),
        (
            ending(40, c("Sí, mándame el link", "Va, apártamela"), a("¡Listo! Aquí está tu liga de pago: pago.casaaurora.com/l/{o}"), c("Ya quedó, gracias", "Listo 🙌")),
            ending(35, c("Por ahora no, gracias", "Ya la compré en otro lado, gracias"), a("Sin problema, {n}. ¡Aquí estamos para lo que necesites!")),
            ending(25, closes=False),
        ),
    ),
)

REOPEN_CUSTOMER = (
    "Hola, otra vez yo. Tengo otra duda",
    "Hola de nuevo, ¿me ayudas con algo más?",
    "Perdón, se me olvidó preguntar algo",
    "Oye, sigo sin recibir nada",
)
REOPEN_AGENT = (
    "¡Claro {n}! Dime, ¿en qué te ayudo?",
    "Hola de nuevo, {n}. Con gusto, cuéntame.",
    "Lo reviso de inmediato, {n}.",
)
REOPEN_FOLLOW = ("Ya quedó, muchas gracias", "Perfecto, era todo", "Ok gracias 👍")
NUDGES = ("??", "Hola? alguien me puede ayudar", "Sigo esperando respuesta 😒", "¿Hay alguien?", "buenas? necesito ayuda")
HANDOFF_FROM_DEFAULT = (
    "Te comunico con el área correspondiente, en un momento te atienden.",
    "Gracias por la información, te transfiero con un especialista.",
)

RATING_COMMENTS = {
    5: ("Excelente atención", "Muy rápido y amable 👏", "Todo perfecto, gracias", "Me resolvieron todo", "10/10", "Muy buena atención de {a}"),
    4: ("Bien, aunque tardaron un poco", "Buena atención", "Todo bien"),
    3: ("Regular", "Tardaron mucho en contestar", "Me resolvieron a medias"),
    2: ("Tardaron demasiado", "No me resolvieron"),
    1: ("Pésimo servicio", "Nadie me contesta", "Muy mala experiencia, no lo recomiendo"),
}

NOTES = {
    "quote": ("Interesado en {p}, pidió precio con envío a domicilio", "Cliente pide meses sin intereses, revisar con BBVA", "Enviar catálogo actualizado el lunes"),
    "wholesale": ("Distribuidor, pide lista de precios de mayoreo", "Pedido potencial de {q} piezas, dar seguimiento el viernes", "Pidió crédito a 30 días, consultar con gerencia"),
    "order_status": ("Paquetería reporta retraso, guía {g}", "Levanté reclamo con la paquetería, folio {o}", "Dirección incompleta, confirmar número interior"),
    "return": ("Reembolso autorizado por {pr}", "Producto llegó dañado, cliente mandó fotos", "Segunda devolución del cliente, revisar"),
    "invoice": ("Factura reemitida por régimen fiscal incorrecto", "Cliente requiere factura a nombre de empresa", "Enviar complemento de pago"),
    "payment": ("Cargo duplicado confirmado, devolución solicitada", "Pago en OXXO tardó 24 h en reflejarse", "Banco rechazó por antifraude, sugerir transferencia"),
    "warranty": ("Garantía aplicada, caso GAR-{o}", "Visita técnica agendada para {d}", "Falla de fábrica, reportar lote al proveedor"),
    "store_info": ("Pasa a recoger mañana a sucursal", "Preguntó por apartado de 24 h"),
    "follow_up": ("Sigue interesado, llamar la próxima semana", "Compró con la competencia", "Pidió que le escribamos cuando haya promoción"),
}
UNASSIGN_NOTES = ("Termina mi turno, lo regreso a la fila", "Cliente pide hablar con otra persona", "Me voy a comer, lo libero")

DAYS = ("mañana", "el lunes", "el martes", "el miércoles", "el jueves", "el viernes", "pasado mañana", "entre hoy y mañana")

PRODUCTS = (  # (name, price in US dollars)
    ("freidora de aire", 89), ("licuadora de alta potencia", 75), ("cafetera de cápsulas", 120),
    ("aspiradora robot", 260), ("pantalla de 55 pulgadas", 520), ("silla de oficina ergonómica", 140),
    ("bocina bluetooth", 50), ("batería de cocina", 95), ("lavadora de 18 kg", 480),
    ("lámpara de escritorio LED", 25), ("parrilla eléctrica", 60), ("plancha de vapor", 35),
)
