"""Portuguese (Brazilian) texts of the demo store: WhatsApp sales and support chats, survey comments."""

from __future__ import annotations

from chatadmin.demo.text import Script, a, c, ending, transfer

GREETING = (
    "Olá! Obrigado por falar com a {b} 😊 Em instantes um atendente vai te responder.",
    "Oi, seja bem-vindo à {b}! Já já a gente te atende.",
)
AWAY = (
    (
        "Olá, obrigado pela mensagem! Você nos escreveu fora do horário de atendimento (segunda a sexta, "
        "das 8h às 20h, e sábado das 9h às 14h, horário do México); respondemos o quanto antes 🙌"
    ),
)

# greetings: any time of day, then by the customer's local time (morning, afternoon, night)
HELLO_ANY = ("Oi", "oi", "Olá", "Oi, tudo bem?", "Olá 👋", "Oii")
HELLO_BY_TIME = (
    ("Bom dia", "Oi, bom dia", "Olá, bom dia"),
    ("Boa tarde", "Olá, boa tarde", "Oi, boa tarde"),
    ("Boa noite", "Oi, boa noite", "Boa noite, desculpa o horário"),
)
HELLO = ("{hello}",)

SCRIPTS: tuple[Script, ...] = (
    Script(
        "quote",
        (
            c(*HELLO, p=0.3),
            c(
                "Queria saber o preço da {p}",
                "Vocês têm a {p}? Quanto tá?",
                "Vi no Instagram a {p}, qual o valor?",
                "valor da {p} por favor",
                "Ainda tem a {p} da promoção?",
            ),
            a(
                "Oi {n}! Aqui é {a} da {b}, tudo bem? 😊 A {p} está saindo por {pr}.",
                "Olá {n}, bom dia! Sou {a}. Temos a {p} sim, o valor é {pr}.",
            ),
            a("Vou te mandar a ficha técnica 👇", "[Imagem] Ficha técnica", p=0.25),
            c("E o frete?", "Quanto tempo demora pra chegar?", "Parcela no cartão?", "Tem na cor preta?", "Tem garantia?", p=0.6),
            a(
                "O frete pro seu CEP fica {s} e chega em 3 a 5 dias úteis 🚚",
                "Parcelamos em até 10x sem juros no cartão. O frete é {s}.",
                "Tem sim, 12 meses de garantia direto com a gente. Frete: {s}.",
                follows=True,
            ),
        ),
        (
            ending(
                55,
                c("Fechado, quero", "Beleza, vou levar", "Como faço pra comprar?", "Quero sim 🙌"),
                a("Show! Segue o link de pagamento: pago.casaaurora.com/l/{o} (aceita Pix e cartão)"),
                c("Pronto, paguei no Pix", "Feito, te mando o comprovante", "[Imagem] comprovante", p=0.75),
                a("Recebido, {n}! Seu pedido é o #{o}. Te mando o código de rastreio assim que sair 📦", follows=True),
                c("Obrigada!!", "Valeu 🙏", "Obrigado", p=0.4),
            ),
            ending(
                30,
                c("Vou pensar e te falo", "Deixa eu ver com meu marido", "Ok, obrigado, depois te chamo"),
                a("Claro, {n}! Qualquer dúvida estou por aqui 😊"),
                tags=("follow-up",),
            ),
            ending(15, c("Ok", "hmm ok", "👍"), closes=False),
        ),
    ),
    Script(
        "wholesale",
        (
            c(*HELLO, p=0.35),
            c(
                "Vocês vendem no atacado? Tenho uma loja e queria {q} unidades da {p}",
                "Sou revendedor, queria um orçamento de {q} peças da {p}",
            ),
            a("Oi {n}! Aqui é {a}, do comercial. Trabalhamos com atacado a partir de 10 peças, sim."),
            a("Me passa o CNPJ pra eu montar o orçamento?", p=0.6),
            c("Claro, te mando já", "CNPJ 12.345.678/0001-90", "Pode ser no CPF?", follows=True),
            a("Segue o orçamento com preço de atacado e frete incluso 📄", "Para {q} peças o valor unitário fica {pr} com 18% de desconto."),
            a("[Documento] Orcamento_{o}.pdf", p=0.5),
        ),
        (
            ending(
                45,
                c("Fechado, como faço o pedido?", "Pode mandar o Pix"),
                a("Te mando os dados do Pix. Assim que cair a gente programa a entrega."),
                c("Pronto, enviei", "Feito ✅"),
                a("Obrigado, {n}! Pedido #{o} registrado. Previsão de entrega: {d}."),
            ),
            ending(40, c("Vou ver com meu sócio e te retorno"), a("Perfeito, {n}. O orçamento vale por 15 dias."), tags=("follow-up",)),
            ending(15, c("Tá um pouco caro, consegue melhorar?"), closes=False),
        ),
    ),
    Script(
        "order_status",
        (
            c(*HELLO, p=0.35),
            c("Meu pedido #{o} ainda não chegou", "Cadê meu pedido? Já faz 5 dias", "Queria saber do meu pedido", "Comprei a {p} e não chegou nada 😕"),
            a("Oi {n}, aqui é {a}. Vou verificar, me passa o número do pedido?", "Olá {n}! Sou {a}. Qual o número do pedido, por favor?"),
            c("É o {o}", "#{o}", "{o}"),
            a(
                "Obrigado. Seu pedido saiu ontem, código de rastreio {g}. Chega {d} 📦",
                "Verifiquei: está em trânsito com a transportadora, rastreio {g}. Previsão: {d}.",
            ),
        ),
        (
            ending(70, c("Ok, obrigado", "Perfeito, valeu", "Obrigada!", "👍"), a("Por nada, {n}! Qualquer coisa é só chamar.", p=0.6)),
            ending(
                20,
                c("Já me falaram isso semana passada 😡"),
                a("Peço desculpas, {n}. Abri uma reclamação com a transportadora e vou acompanhar pessoalmente."),
                tags=("complaint",),
            ),
            ending(10, c("Não dá pra mandar por outra transportadora?"), closes=False),
        ),
    ),
    Script(
        "return",
        (
            c(*HELLO, p=0.3),
            c("A {p} chegou quebrada, quero meu dinheiro de volta", "A {p} não funciona, quero devolver", "Veio o produto errado, eu pedi a {p}"),
            c("[Imagem]", "Tô mandando foto", p=0.5),
            a("Oi {n}, aqui é {a}. Sinto muito 😔 Me passa o número do pedido e uma foto do produto?"),
            c("É o {o}", "[Imagem]", "#{o}"),
            a("Obrigado. Vou passar seu caso pro financeiro fazer o estorno.", "Pronto, abri a devolução. Vou te transferir pro financeiro."),
            transfer("billing"),
            a(
                "Olá {n}, aqui é {a} do financeiro. Já estou com o seu pedido #{o}. O estorno de {pr} cai no mesmo cartão.",
                "Oi {n}! Sou {a} do financeiro. O estorno de {pr} aparece em 5 a 10 dias úteis.",
            ),
            c("Preciso devolver o produto?", "Quanto tempo demora?", p=0.5),
            a(
                "Vamos te mandar uma etiqueta de postagem por e-mail, sem custo nenhum.",
                "Assim que o produto for postado, liberamos o estorno.",
                follows=True,
            ),
        ),
        (
            ending(75, c("Ok, obrigado", "Beleza, obrigada pela ajuda"), a("Por nada! Desculpa de novo pelo transtorno.", p=0.5)),
            ending(25, c("Péssimo atendimento, nunca mais compro aqui"), a("Entendo, {n}. Seu caso ficou registrado com prioridade."), tags=("complaint",)),
        ),
    ),
    Script(
        "invoice",
        (
            c(*HELLO, p=0.35),
            c("Preciso da nota fiscal da minha compra", "Não recebi a nota fiscal no e-mail", "Vocês emitem nota no CNPJ?"),
            a("Oi {n}! Aqui é {a} do financeiro. Me passa o número do pedido e o CPF ou CNPJ, por favor?"),
            c("Pedido {o}, CPF 123.456.789-09", "Te mando os dados", "[Documento] dados.pdf"),
            a("Pronto, a nota foi emitida e enviada pro seu e-mail 📄", "Segue a nota fiscal por aqui também."),
            a("[Documento] NF_{o}.pdf", p=0.4),
        ),
        (ending(100, c("Obrigado!", "Recebi, valeu", "Perfeito 👌"), a("Por nada! Tenha um ótimo dia.", p=0.4)),),
    ),
    Script(
        "payment",
        (
            c(*HELLO, p=0.35),
            c("Fui cobrado duas vezes", "Meu cartão tá sendo recusado", "Paguei o boleto e não compensou", "O Pix não foi confirmado"),
            a("Oi {n}, sou {a} do financeiro. Me manda o número do pedido e um print da cobrança?"),
            c("Pedido {o}", "[Imagem] print da fatura", "É o {o}"),
            a(
                "Verifiquei: a segunda cobrança é uma pré-autorização e some em 48 horas.",
                "Confirmado, houve cobrança em dobro. Já pedi o estorno de {pr}.",
                "O pagamento compensou agora, às vezes leva até 1 dia útil. Seu pedido está confirmado ✅",
            ),
        ),
        (
            ending(80, c("Ah, ok, obrigado", "Valeu pela ajuda"), a("Por nada, {n}!", p=0.5)),
            ending(20, c("E se não sumir?"), a("Se em 48 horas não sumir, me chama aqui que a gente resolve com o banco."), closes=False),
        ),
    ),
    Script(
        "warranty",
        (
            c(*HELLO, p=0.3),
            c("A {p} parou de funcionar, tem 3 meses", "A {p} tá fazendo um barulho estranho", "Como aciono a garantia?"),
            a("Oi {n}, aqui é {a} do suporte. Me passa o número do pedido e um vídeo curto do problema?"),
            c("[Vídeo]", "Já tentei de tudo", "Pedido {o}"),
            a("Obrigado. A garantia cobre: vamos recolher o produto e te mandar um novo.", "Vamos trocar a peça sem custo; o técnico vai te ligar pra agendar."),
        ),
        (
            ending(75, c("Ok, obrigado", "Perfeito, aguardo"), a("Por nada! O número do chamado é GAR-{o}.", p=0.6)),
            ending(25, c("E enquanto isso? Eu preciso dela"), a("Entendo, {n}. Vou priorizar o envio pra chegar {d}."), tags=("complaint",)),
        ),
    ),
    Script(
        "store_info",
        (
            c(*HELLO, p=0.35),
            c("Vocês entregam em todo o Brasil?", "Aceitam Pix?", "Tem loja física em São Paulo?"),
            a(
                "Oi {n}! Aqui é {a}. Entregamos em todo o Brasil pelos Correios e transportadora 🚚",
                "Olá {n}, aceitamos Pix, cartão em até 10x e boleto.",
                "Oi! Por enquanto só vendemos online, com entrega pra todo o Brasil.",
            ),
        ),
        (ending(100, c("Obrigado!", "Valeu", "👍"), a("Por nada! Tenha um ótimo dia.", p=0.4)),),
    ),
    Script(
        "follow_up",
        (
            a(
                "Oi {n}, aqui é {a} da {b} 😊 Tudo bem? Passando pra saber se você conseguiu ver o orçamento da {p}.",
                "Olá {n}! Sou {a} da {b}. A {p} que você gostou baixou de preço: agora está {pr}.",
            ),
            c("Oi, vi sim", "Ainda tô pensando", "Ainda tá nesse preço?", p=0.85),
            a("Seguro o preço de {pr} até domingo. Quer que eu reserve?", p=0.85),
        ),
        (
            ending(40, c("Quero, manda o link"), a("Prontinho! Link de pagamento: pago.casaaurora.com/l/{o}"), c("Paguei, obrigada", "Feito 🙌")),
            ending(35, c("Agora não, obrigado", "Já comprei em outro lugar"), a("Sem problemas, {n}. Estamos à disposição!")),
            ending(25, closes=False),
        ),
    ),
)

REOPEN_CUSTOMER = ("Oi, sou eu de novo. Tenho outra dúvida", "Oi de novo, pode me ajudar com mais uma coisa?", "Ainda não recebi nada")
REOPEN_AGENT = ("Claro, {n}! Pode falar.", "Oi de novo, {n}. Vou verificar agora mesmo.")
REOPEN_FOLLOW = ("Resolvido, obrigado", "Era só isso, valeu 👍")
NUDGES = ("??", "Oi? Alguém pode me ajudar?", "Ainda estou esperando 😒", "Tem alguém aí?")
HANDOFF_FROM_DEFAULT = ("Vou te passar para o setor responsável, já já te atendem.", "Obrigado! Vou te transferir para um especialista.")

RATING_COMMENTS = {
    5: ("Atendimento excelente", "Muito rápido, obrigado 👏", "Resolveram tudo", "Nota 10"),
    4: ("Bom atendimento", "Demorou um pouco mas resolveu"),
    3: ("Regular", "Demoraram pra responder"),
    2: ("Demorou demais", "Não resolveram meu problema"),
    1: ("Péssimo", "Ninguém responde", "Experiência muito ruim"),
}

DAYS = ("amanhã", "na segunda", "na terça", "na quarta", "na quinta", "na sexta", "depois de amanhã")

PRODUCTS = (  # (name, price in US dollars)
    ("fritadeira elétrica", 89), ("cafeteira expressa", 120), ("TV de 55 polegadas", 520),
    ("cadeira de escritório", 140), ("caixa de som bluetooth", 50), ("panela elétrica de arroz", 45),
    ("luminária de mesa LED", 25), ("máquina de lavar 12 kg", 480), ("torradeira", 30),
    ("batedeira planetária", 110), ("sanduicheira", 28), ("air fryer de 5 litros", 95),
)
